# Array building and summing: push 1,000,000 ints, then add them up.
def main():
    a = []
    for i in range(1_000_000):
        a.append(i)
    total = 0
    for x in a:
        total += x
    print(total)


main()
