-- A counting loop: 10,000,000 iterations of a while with one addition.
local i, total = 0, 0
while i < 10000000 do
    total = total + i
    i = i + 1
end
print(total)
