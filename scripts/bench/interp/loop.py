# A counting loop: 10,000,000 iterations of a while with one addition.
def main():
    i = 0
    total = 0
    while i < 10_000_000:
        total += i
        i += 1
    print(total)


main()
