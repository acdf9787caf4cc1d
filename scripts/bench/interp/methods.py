# Method calls with field access on class instances: 1,000,000 calls of a
# method that reads and writes fields, over two instances.
class Counter:
    def __init__(self, count, step):
        self.count = count
        self.step = step

    def bump(self):
        self.count = self.count + self.step
        return self.count


def main():
    a = Counter(0, 1)
    b = Counter(0, 2)
    i = 0
    last = 0
    while i < 500_000:
        last = a.bump() + b.bump()
        i += 1
    print(last)


main()
