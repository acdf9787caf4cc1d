// An example C++ host runtime (docs/hostkit.md): a registry from name to handler over the
// host's own Value, whose unknown-name branch falls back to the sffi host kit's table
// (sffi_host.h). One adapter (to_abi, from_abi) converts Value <-> sffi_value for every
// extern. Prints the same lines as the Rust host (tests/integration/hosts/expected.txt).
//   c++ -std=c++17 host.cpp $(pkg-config --cflags --libs sffi-host)
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "sffi_host.h"

struct Value;
using Array = std::shared_ptr<std::vector<Value>>;
struct Tuple { Array items; };
struct Value {
    std::variant<std::monostate, int64_t, double, bool, std::string, Array, Tuple> v;
};

static std::string show(const Value &x);
static std::string show_list(const std::vector<Value> &items, const char *open, const char *close)
{
    std::string out = open;
    for (size_t i = 0; i < items.size(); i++)
        out += (i ? ", " : "") + show(items[i]);
    return out + close;
}

static std::string show(const Value &x)
{
    if (std::holds_alternative<std::monostate>(x.v)) return "nil";
    if (auto *i = std::get_if<int64_t>(&x.v)) return std::to_string(*i);
    if (auto *d = std::get_if<double>(&x.v)) { std::ostringstream s; s << *d; return s.str(); }
    if (auto *b = std::get_if<bool>(&x.v)) return *b ? "true" : "false";
    if (auto *s = std::get_if<std::string>(&x.v)) return "\"" + *s + "\"";
    if (auto *a = std::get_if<Array>(&x.v)) return show_list(**a, "[", "]");
    return show_list(*std::get<Tuple>(x.v).items, "(", ")");
}

static const char *type_name(const Value &x)
{
    static const char *names[] = {"nil", "int", "float", "bool", "text", "array", "tuple"};
    return names[x.v.index()];
}

// The host's own error type: a library's error names the extern and carries its message.
struct HostError : std::runtime_error { using std::runtime_error::runtime_error; };

static const char *spelling(uint8_t code)
{
    static const char *names[] = {"none", "i64", "i32", "f64", "bool", "text", "[i64]", "[f64]", "[text]"};
    return code < sizeof names / sizeof *names ? names[code] : "(unknown type)";
}

// Storage of one call's arguments: arrays are gathered into contiguous buffers.
struct Scratch { std::vector<std::vector<int64_t>> ints; std::vector<std::vector<double>> floats;
                 std::vector<std::vector<const char *>> texts; };

static sffi_value to_abi(const Value &x, uint8_t type, Scratch &s, const std::string &where)
{
    sffi_value out{};
    auto bad = [&] { return HostError(where + ": expected " + spelling(type) + ", got " + type_name(x)); };
    auto items = [&]() -> std::vector<Value> & { if (auto *a = std::get_if<Array>(&x.v)) return **a; throw bad(); };
    switch (type) {
    case SFFI_I64: if (auto *i = std::get_if<int64_t>(&x.v)) { out.i64 = *i; return out; } throw bad();
    case SFFI_F64: if (auto *d = std::get_if<double>(&x.v)) { out.f64 = *d; return out; } throw bad();
    case SFFI_BOOL: if (auto *b = std::get_if<bool>(&x.v)) { out.b = *b; return out; } throw bad();
    case SFFI_TEXT: if (auto *t = std::get_if<std::string>(&x.v)) { out.text = t->c_str(); return out; } throw bad();
    case SFFI_TEXT_ARRAY: {
        auto &buf = s.texts.emplace_back();
        for (auto &e : items()) {
            auto *t = std::get_if<std::string>(&e.v);
            if (!t) throw bad();
            buf.push_back(t->c_str());
        }
        out.texts = {buf.empty() ? nullptr : buf.data(), (int64_t)buf.size()};
        return out;
    }
    default: throw HostError(where + ": type " + spelling(type) + " is not adapted by this host");
    }
}

static Value from_abi(const sffi_value &r, uint8_t type)
{
    switch (type) {
    case SFFI_NONE: return {};
    case SFFI_I64: return {r.i64};
    case SFFI_I32: return {(int64_t)r.i32};
    case SFFI_F64: return {r.f64};
    case SFFI_BOOL: return {r.b};
    case SFFI_TEXT: return r.text ? Value{std::string(r.text)} : Value{};
    case SFFI_TEXT_ARRAY: {
        auto items = std::make_shared<std::vector<Value>>();
        for (int64_t i = 0; i < r.texts.len; i++) items->push_back({std::string(r.texts.data[i])});
        return {items};
    }
    default: throw HostError(std::string("result type ") + spelling(type) + " is not adapted by this host");
    }
}

using Handler = Value (*)(const std::vector<Value> &);

struct Runtime {
    std::map<std::string, Handler> handlers;
    std::map<std::string, const sffi_entry *> table;

    static std::string with_list(const std::string &lib)
    {
        std::vector<std::string> names{lib};
        for (size_t i = 0; i < sffi_libraries_len; i++)
            if (lib != sffi_libraries[i] && std::strcmp(sffi_libraries[i], "core") != 0) names.push_back(sffi_libraries[i]);
        std::sort(names.begin(), names.end());
        std::string out;
        for (auto &n : names) out += (out.empty() ? "" : ",") + n;
        return out;
    }

    // A script's `extern fn`: the hand-kept handlers first, else the kit's table.
    void declare(const std::string &name, const std::string &sig)
    {
        if (handlers.count(name)) return;
        const sffi_entry *e = sffi_host_find(name.c_str());
        if (!e) {
            const sffi_catalog_entry *c = sffi_host_catalog_find(name.c_str());
            if (!c) throw HostError("unknown extern function " + name + "\nno FFI library known to this host kit provides it");
            throw HostError("unknown extern function " + name + "\nprovided by FFI library '" + c->library + "' as " +
                            c->signature + ", which this host kit was built without; rebuild with: scons hostkit --with=" +
                            with_list(c->library));
        }
        if (sig != e->signature)
            throw HostError("extern function " + name + " does not match the host kit's table\n  declared here:     " + sig +
                            "\n  table provides:    " + e->signature + "  (FFI library '" + e->library + "')");
        table[name] = e;
    }

    Value call(const std::string &name, const std::vector<Value> &args)
    {
        if (auto h = handlers.find(name); h != handlers.end()) return h->second(args);
        const sffi_entry *e = table.at(name);
        if (args.size() != e->n_params) throw HostError(name + ": wrong number of arguments");
        Scratch scratch;
        std::vector<sffi_value> abi(e->n_params + 1);
        for (size_t i = 0; i < args.size(); i++)
            abi[i] = to_abi(args[i], e->params[i], scratch, name + ": argument " + std::to_string(i + 1));
        sffi_value result{};
        if (sffi_host_call(e, abi.data(), &result) != 0)
            throw HostError("extern " + name + " raised: " + sffi_host_error());
        return from_abi(result, e->result);
    }
};

static Value text(const char *s) { return {std::string(s)}; }

static void run(const char *label, Runtime &rt, const char *name, const std::vector<Value> &args)
{
    std::string out;
    try { out = show(rt.call(name, args)); }
    catch (const HostError &e) { out = std::string("error: ") + e.what(); }
    std::cout << label << ": " << out << "\n";
}

int main(int argc, char **argv)
{
    if (argc != 2) { std::cerr << "usage: cpp-host DECLARATIONS\n"; return 2; }
    Runtime rt;
    rt.handlers["rt_host_twice"] = [](const std::vector<Value> &a) -> Value { return {std::get<int64_t>(a.at(0).v) * 2}; };
    char alpha[] = "alpha", beta[] = "beta";
    char *script_args[] = {alpha, beta};
    sffi_host_set_args(2, script_args);
    std::ifstream decls(argv[1]);
    for (std::string line; std::getline(decls, line);) {
        auto space = line.find(' ');
        if (space == std::string::npos) continue;
        try { rt.declare(line.substr(0, space), line.substr(space + 1)); }
        catch (const HostError &e) { std::cout << "declare " << line << ": error: " << e.what() << "\n"; }
    }
    run("rt_host_twice(21)", rt, "rt_host_twice", {{int64_t{21}}});
    run("rt_env_set", rt, "rt_env_set", {text("SFFI_HOST_DEMO"), text("h\xc3\xa9llo")});
    run("rt_env_get", rt, "rt_env_get", {text("SFFI_HOST_DEMO")});
    run("rt_env_get unset", rt, "rt_env_get", {text("SFFI_HOST_UNSET")});
    run("rt_args", rt, "rt_args", {});
    run("rt_file_read_text", rt, "rt_file_read_text", {text("/nonexistent/sffi-host.txt")});
    run("rt_sqlite_open wrong type", rt, "rt_sqlite_open", {{int64_t{1}}});
    Value db = rt.call("rt_sqlite_open", {text(":memory:")});
    run("create", rt, "rt_sqlite_exec", {db, text("CREATE TABLE t(name TEXT, n INTEGER)")});
    run("bad sql", rt, "rt_sqlite_exec", {db, text("SELEC 1")});
    Value ins = rt.call("rt_sqlite_prepare", {db, text("INSERT INTO t VALUES (?1, ?2)")});
    for (auto [name, n] : {std::pair{"ada", 36}, std::pair{"grace", 85}}) {
        rt.call("rt_sqlite_bind_text", {ins, {int64_t{1}}, text(name)});
        rt.call("rt_sqlite_bind_i64", {ins, {int64_t{2}}, {int64_t{n}}});
        rt.call("rt_sqlite_step", {ins});
        rt.call("rt_sqlite_reset", {ins});
    }
    rt.call("rt_sqlite_finalize", {ins});
    Value sel = rt.call("rt_sqlite_prepare", {db, text("SELECT name, n FROM t ORDER BY n")});
    auto rows = std::make_shared<std::vector<Value>>();
    while (std::get<bool>(rt.call("rt_sqlite_step", {sel}).v)) {
        auto row = std::make_shared<std::vector<Value>>();
        row->push_back(rt.call("rt_sqlite_column_text", {sel, {int64_t{0}}}));
        row->push_back(rt.call("rt_sqlite_column_i64", {sel, {int64_t{1}}}));
        rows->push_back({Tuple{row}});
    }
    std::cout << "rows: " << show({rows}) << "\n";
    rt.call("rt_sqlite_finalize", {sel});
    run("rt_sqlite_close", rt, "rt_sqlite_close", {db});
    run("rt_sqlite_exec after close", rt, "rt_sqlite_exec", {db, text("SELECT 1")});
    return 0;
}
