use iamsim::fixtures::*;

#[test]
fn scratch() {
    for f in [
        "syntax.yaml",
        "syntax.json",
        "unknown-field.yaml",
        "wrong-type.yaml",
        "duplicate.yaml",
        "missing-trust.yaml",
        "missing-file.yaml",
        "bad-policy-file.yaml",
    ] {
        match load_file(format!("tests/fixtures/load/errors/{f}")) {
            Ok(_) => println!("{f}: ok"),
            Err(e) => {
                for e in e {
                    println!("{e}")
                }
            }
        }
    }
    for t in [
        "[1, 2]",
        "accounts: {a: {users: {u: {access_keys: [{idd: 1}]}}}}",
        "accounts: {a: {buckets: {b: {objects: {k: {txt: 1}}}}}}",
        "accounts: {a: {buckets: {b: {objects: {k: 5}}}}}",
        "accounts: {a: {roles: {r: {trust: {}, instance_profile: 5}}}}",
        "accounts: {a: {policies: {p: {document: {}, descripton: x}}}}",
        "accounts: {a: {policies: {p: {document: {}, description: 5}}}}",
        "instances: {w: {account: 111111111111}}",
        "seed: -1",
        "seed: 1.5",
        "accounts: {a: {roles: {r: {Trust: {}}}}}",
        "accounts: {a: {roles: {r: {trust: x}}}}",
        "x: &a [*a]",
        "a: &a [1,2]\nb: *a\n",
        "base: &b {alias: x}\naccounts: {a: {<<: *b, alias: y}}",
        "a: !foo 1",
        "? [a]\n: 1",
        "a: .inf",
        "a: 99999999999999999999999",
        "---\na: 1\n---\nb: 2\n",
        "",
    ] {
        match load_yaml(t) {
            Ok(f) => println!("{t:?}: ok {:?}", f.fixture),
            Err(e) => {
                for e in e {
                    println!("{t:?} -> {e}")
                }
            }
        }
    }
    for t in [
        "{\"a\": \"\\ud83d\\ude00\"}",
        "{\"a\":1,\"a\":2,\"b\":{\"c\":1,\"c\":3}}",
        "[",
        "{\"é\": x}",
        "\t{\"seed\":\t\"x\"}",
        "",
        "{\"seed\": 1e400}",
        "{\"seed\": \"\\ud800\"}",
    ] {
        match load_json(t) {
            Ok(f) => println!("{t:?}: ok {:?}", f.fixture),
            Err(e) => {
                for e in e {
                    println!("{t:?} -> {e}")
                }
            }
        }
    }
    let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    for n in [127, 128, 129] {
        println!("json {n}: {:?}", Node::parse_json(&deep(n), "j").err().map(|e| e[0].to_string()));
        println!("yaml {n}: {:?}", Node::parse_yaml(&deep(n), "y").err().map(|e| e[0].to_string()));
    }
    let lol = "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n";
    println!("lol: {:?}", Node::parse_yaml(lol, "y").err().map(|e| e[0].to_string()));
}
