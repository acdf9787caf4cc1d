-- Method calls with field access on class instances: 1,000,000 calls of a
-- method that reads and writes fields, over two instances.
local Counter = {}
Counter.__index = Counter
function Counter.new(count, step) return setmetatable({count = count, step = step}, Counter) end
function Counter:bump()
    self.count = self.count + self.step
    return self.count
end
local a, b = Counter.new(0, 1), Counter.new(0, 2)
local last = 0
for _ = 1, 500000 do
    last = a:bump() + b:bump()
end
print(last)
