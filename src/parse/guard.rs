//! The guard run before SWC: a large stack for the parsing thread, and a lexical check that
//! refuses nesting or operator chains deep enough to exhaust it. SWC's parser and every walk over
//! its tree recurse once per level, so these limits are what keeps hostile input a diagnostic.

/// Deepest bracket nesting accepted. Real photons stay far below it; deeper input would only
/// exhaust the stack of SWC's recursive-descent parser (and of every walk over its tree).
pub const MAX_NESTING: usize = 256;

/// Stack for the parsing thread: SWC's parser and the tree walks recurse once per nesting level,
/// and debug builds use large frames. Reserved lazily, so the size costs address space only.
const PARSE_STACK: usize = 32 << 20;

/// Run `parse` on a thread with `PARSE_STACK` of stack, or on this thread when no thread can be
/// started (resource limits). A panic of the parse is resumed here.
pub fn on_parse_stack<T: Send>(parse: impl Fn() -> T + Sync) -> T {
    std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("photon-parse".into())
            .stack_size(PARSE_STACK)
            .spawn_scoped(scope, &parse);
        match spawned {
            Ok(handle) => match handle.join() {
                Ok(outcome) => outcome,
                Err(panic) => std::panic::resume_unwind(panic),
            },
            // No thread available: parse here, with the caller's stack.
            Err(_) => parse(),
        }
    })
}

/// Operator characters (and prefix keywords such as `await`) allowed in one expression: between
/// two `,`/`;`/`}` of the same bracket level. SWC's parser, the tree walks and the tree's drop all
/// recurse once per chained operator (`!!!!x`, `a ? b : c ? ...`, `x => y => ...`, `a || b || ...`),
/// so more is refused like deep brackets. Hand-written code stays far below it.
pub const MAX_CHAIN: usize = 1000;

/// Where nesting first gets too deep for a recursive-descent parser: brackets (`(`, `[`, `{`)
/// nested more than `limit` levels, or more than `chain` operators in one expression, or as many
/// `else` in one block. Comments, string and template literals are
/// skipped. A lexical guard run before SWC; it never decides what the code means.
pub fn nesting_overflow(src: &str, limit: usize, chain: usize) -> Option<usize> {
    const CHAIN_WORDS: &[&str] = &[
        "await", "delete", "infer", "keyof", "new", "readonly", "typeof", "unique", "void", "yield",
    ];
    let b = src.as_bytes();
    // Per open bracket: chained operators since the last `,`/`;`, and `else`s in the block.
    let mut frames: Vec<(usize, usize)> = vec![(0, 0)];
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        let mut chained = false;
        match c {
            b'/' if next == Some(b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if next == Some(b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            q @ (b'\'' | b'"' | b'`') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    if b[i] == b'\\' {
                        i += 1;
                    } else if q != b'`' && b[i] == b'\n' {
                        break;
                    }
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => {
                frames.push((0, 0));
                if frames.len() > limit + 1 {
                    return Some(i);
                }
            }
            b')' | b']' | b'}' => {
                if frames.len() > 1 {
                    frames.pop();
                }
                // A closed block ends a member or statement of the enclosing one (class bodies
                // and ASI-style code have no `;` between members).
                // Not when an operator follows: `a ? {} : a ? {} : ...` is still one chain.
                if c == b'}' {
                    let rest = &b[i + 1..];
                    let at = rest.iter().position(|x| !x.is_ascii_whitespace());
                    let continues = at.is_some_and(|k| {
                        let op = b"?:+-*/%&|^!~<>=.".contains(&rest[k]);
                        let comment =
                            rest[k] == b'/' && matches!(rest.get(k + 1), Some(b'/' | b'*'));
                        op && !comment
                    });
                    if !continues {
                        frames.last_mut()?.0 = 0;
                    }
                }
            }
            b',' | b';' => frames.last_mut()?.0 = 0,
            // Every operator character counts: prefix chains (`!!x`, `----x`), right-nested
            // ones (`a ? b : c ? ...`, `x => y => ...`, `a = b = ...`) and long binary or member
            // chains all become one level of recursion per operator somewhere.
            b'+' | b'-' | b'*' | b'/' | b'%' | b'&' | b'|' | b'^' | b'!' | b'~' | b'<' | b'>'
            | b'?' | b'=' | b'.' => chained = true,
            _ if c.is_ascii_alphabetic() || c == b'_' || c == b'$' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$')
                {
                    i += 1;
                }
                let word = &src[start..i];
                if word == "else" {
                    let frame = frames.last_mut()?;
                    frame.1 += 1;
                    if frame.1 > chain {
                        return Some(start);
                    }
                } else if CHAIN_WORDS.contains(&word) {
                    let frame = frames.last_mut()?;
                    frame.0 += 1;
                    if frame.0 > chain {
                        return Some(start);
                    }
                }
                continue;
            }
            _ => {}
        }
        if chained {
            let frame = frames.last_mut()?;
            frame.0 += 1;
            if frame.0 > chain {
                return Some(i);
            }
        }
        i += 1;
    }
    None
}
