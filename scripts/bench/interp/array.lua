-- Array building and summing: push 1,000,000 ints, then add them up.
local a = {}
for i = 0, 999999 do
    a[#a + 1] = i
end
local total = 0
for _, x in ipairs(a) do
    total = total + x
end
print(total)
