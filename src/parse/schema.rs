//! TypeScript type nodes → JSON Schema, following photon-format §3.2 and §3.3, with the
//! deliberate fixes listed in the README's "Schemas" section (cycle guard, `T | null`, interface
//! `extends`, nested `readonly`).
//!
//! The conversion is syntactic and single-file, like upstream's: type aliases and interfaces are
//! looked up by name among the file's top-level declarations. Objects are `serde_json::Map`s
//! with `preserve_order`, so properties keep declaration order and output is deterministic.

use std::collections::HashMap;

use serde_json::{Map, Value, json};
use swc_common::comments::{CommentKind, Comments, SingleThreadedComments};
use swc_ecma_ast::{
    Decl, Expr, Lit, Module, ModuleDecl, ModuleItem, Stmt, TsEntityName, TsInterfaceDecl,
    TsKeywordTypeKind, TsLit, TsType, TsTypeAliasDecl, TsTypeElement, TsTypeOperatorOp,
    TsUnionOrIntersectionType,
};

use super::jsdoc;

/// A named type the file declares at the top level.
#[derive(Clone, Copy)]
pub enum TypeDecl<'a> {
    Alias(&'a TsTypeAliasDecl),
    Interface(&'a TsInterfaceDecl),
    /// TS `enum`: kept as `{type: "object"}` like upstream (recorded so it is not "unknown").
    Enum,
}

/// Converts types to schemas; holds the cycle guard.
pub struct SchemaCx<'a> {
    decls: &'a HashMap<String, TypeDecl<'a>>,
    comments: &'a SingleThreadedComments,
    /// The file text and every JSDoc block in source order, for docs the comment map does not
    /// attach to the member (`/** doc */ readonly id` attaches at `readonly`).
    source: &'a str,
    blocks: &'a [swc_common::comments::Comment],
    /// Names being expanded right now: a reference to one of them is a cycle.
    stack: Vec<String>,
    /// Names whose expansion was cut by the cycle guard (for a note in the model).
    pub recursive: Vec<String>,
    /// Current nesting of `type_schema` calls, and whether the depth limit cut a schema.
    depth: usize,
    pub too_deep: bool,
}

/// Schemas deeper than this become `{}`: nobody writes such types by hand, and a bounded schema
/// keeps every later stage (validation, serialisation, dropping) cheap and its recursion shallow.
pub const MAX_SCHEMA_DEPTH: usize = 64;

/// Properties and required names of an object schema.
pub type ObjectParts = (Map<String, Value>, Vec<String>);

impl<'a> SchemaCx<'a> {
    pub fn new(
        decls: &'a HashMap<String, TypeDecl<'a>>,
        comments: &'a SingleThreadedComments,
        source: &'a str,
        blocks: &'a [swc_common::comments::Comment],
    ) -> Self {
        Self {
            decls,
            comments,
            source,
            blocks,
            stack: Vec::new(),
            recursive: Vec::new(),
            depth: 0,
            too_deep: false,
        }
    }

    /// The schema of one type node.
    pub fn type_schema(&mut self, ty: &TsType) -> Value {
        if self.depth >= MAX_SCHEMA_DEPTH {
            self.too_deep = true;
            return json!({});
        }
        self.depth += 1;
        let schema = self.type_schema_at_depth(ty);
        self.depth -= 1;
        schema
    }

    fn type_schema_at_depth(&mut self, ty: &TsType) -> Value {
        match ty {
            TsType::TsKeywordType(k) => keyword_schema(k.kind),
            TsType::TsTypeRef(r) => {
                let name = entity_name(&r.type_name);
                let args = r.type_params.as_ref().map(|p| &p.params[..]).unwrap_or(&[]);
                if matches!(name.as_str(), "Array" | "ReadonlyArray") && !args.is_empty() {
                    return array_of(self.type_schema(&args[0]));
                }
                self.named(&name).unwrap_or_else(object)
            }
            TsType::TsTypeLit(lit) => {
                let (properties, required) = self.members(&lit.members);
                object_schema(properties, required)
            }
            TsType::TsArrayType(a) => array_of(self.type_schema(&a.elem_type)),
            TsType::TsTupleType(t) => {
                let items: Vec<Value> = t
                    .elem_types
                    .iter()
                    .map(|e| self.type_schema(&e.ty))
                    .collect();
                array_of(Value::Array(items))
            }
            TsType::TsUnionOrIntersectionType(TsUnionOrIntersectionType::TsUnionType(u)) => {
                self.union(&u.types)
            }
            TsType::TsUnionOrIntersectionType(TsUnionOrIntersectionType::TsIntersectionType(i)) => {
                let all: Vec<Value> = i.types.iter().map(|t| self.type_schema(t)).collect();
                keyed("allOf", Value::Array(all))
            }
            TsType::TsParenthesizedType(p) => self.type_schema(&p.type_ann),
            TsType::TsOptionalType(o) => self.type_schema(&o.type_ann),
            TsType::TsRestType(r) => self.type_schema(&r.type_ann),
            TsType::TsTypeOperator(op) if op.op == TsTypeOperatorOp::ReadOnly => {
                self.type_schema(&op.type_ann)
            }
            TsType::TsLitType(l) => match &l.lit {
                TsLit::Str(s) => json!({"type": "string", "enum": [s.value.to_string_lossy()]}),
                TsLit::Number(n) => json!({"type": "number", "enum": [number(n.value)]}),
                TsLit::Bool(_) => json!({"type": "boolean"}),
                // A template literal type only ever matches strings.
                TsLit::Tpl(_) => json!({"type": "string"}),
                TsLit::BigInt(_) => object(),
            },
            _ => object(),
        }
    }

    /// Resolve a name declared in this file; `None` when the file does not declare it.
    fn named(&mut self, name: &str) -> Option<Value> {
        let decl = *self.decls.get(name)?;
        if self.stack.iter().any(|n| n == name) {
            // Cycle guard: a recursive alias stops here as "any value" instead of recursing
            // forever (upstream overflows the stack and loses every later tool).
            if !self.recursive.iter().any(|n| n == name) {
                self.recursive.push(name.to_string());
            }
            return Some(json!({}));
        }
        self.stack.push(name.to_string());
        let schema = match decl {
            TypeDecl::Alias(a) => self.type_schema(&a.type_ann),
            TypeDecl::Interface(i) => {
                let (properties, required) = self.interface(i);
                object_schema(properties, required)
            }
            TypeDecl::Enum => object(),
        };
        self.stack.pop();
        Some(schema)
    }

    /// An interface's properties, its `extends` bases first (upstream ignores `extends`).
    fn interface(&mut self, decl: &TsInterfaceDecl) -> ObjectParts {
        let mut properties = Map::new();
        let mut required: Vec<String> = Vec::new();
        for base in &decl.extends {
            let name = match &*base.expr {
                Expr::Ident(i) => i.sym.to_string(),
                _ => continue,
            };
            if let Some(schema) = self.named(&name)
                && let Some((props, req)) = split_object(&schema)
            {
                for (k, v) in props {
                    properties.insert(k, v);
                }
                for r in req {
                    if !required.contains(&r) {
                        required.push(r);
                    }
                }
            }
        }
        let (own, own_required) = self.members(&decl.body.body);
        for (k, v) in own {
            // A redeclared member replaces the base's, and its own optionality wins.
            required.retain(|r| r != &k);
            properties.insert(k, v);
        }
        for r in own_required {
            if !required.contains(&r) {
                required.push(r);
            }
        }
        (properties, required)
    }

    /// Property signatures of a type literal or interface body. Methods, call and index
    /// signatures are dropped, as upstream does.
    pub fn members(&mut self, members: &[TsTypeElement]) -> ObjectParts {
        let mut properties = Map::new();
        let mut required = Vec::new();
        for member in members {
            let TsTypeElement::TsPropertySignature(p) = member else {
                continue;
            };
            if p.computed {
                continue;
            }
            let Some(name) = prop_key(&p.key) else {
                continue;
            };
            let mut schema = match &p.type_ann {
                Some(t) => self.type_schema(&t.type_ann),
                // An untyped member accepts anything (upstream: `{type: "object"}`).
                None => json!({}),
            };
            if let Some(desc) = self.member_doc(p.span.lo) {
                set(&mut schema, "description", Value::String(desc));
            }
            if p.readonly {
                set(&mut schema, "readOnly", Value::Bool(true));
            }
            if !p.optional {
                required.push(name.clone());
            }
            properties.insert(name, schema);
        }
        (properties, required)
    }

    /// The description from a member's own `/** ... */`.
    fn member_doc(&self, pos: swc_common::BytePos) -> Option<String> {
        let attached = self.comments.get_leading(pos).and_then(|comments| {
            comments
                .iter()
                .rev()
                .find(|c| c.kind == CommentKind::Block && jsdoc::is_jsdoc(&c.text))
                .cloned()
        });
        let block = attached.or_else(|| {
            // The nearest block before `pos` with only modifiers in between.
            let i = self.blocks.partition_point(|c| c.span.hi <= pos);
            let c = self.blocks.get(i.checked_sub(1)?)?;
            let between = self
                .source
                .get(c.span.hi.0.checked_sub(1)? as usize..pos.0.checked_sub(1)? as usize)?;
            let gap = between.split_whitespace().all(|w| w == "readonly");
            gap.then(|| c.clone())
        })?;
        jsdoc::method_description(&jsdoc::lines(&block.text))
    }

    /// Unions: literal grouping as upstream (§3.2), `undefined` dropped and `null` made
    /// nullable (upstream turns `null` into `{type: "object"}`).
    fn union(&mut self, types: &[Box<TsType>]) -> Value {
        let mut nullable = false;
        let mut members: Vec<&TsType> = Vec::new();
        for t in types {
            match unparen(t) {
                TsType::TsKeywordType(k) if k.kind == TsKeywordTypeKind::TsNullKeyword => {
                    nullable = true
                }
                TsType::TsKeywordType(k)
                    if matches!(
                        k.kind,
                        TsKeywordTypeKind::TsUndefinedKeyword | TsKeywordTypeKind::TsVoidKeyword
                    ) => {}
                other => members.push(other),
            }
        }
        let schema = match members.len() {
            0 if nullable => return json!({"type": "null"}),
            0 => return json!({}),
            1 => self.type_schema(members[0]),
            _ => self.union_members(&members),
        };
        if nullable {
            make_nullable(schema)
        } else {
            schema
        }
    }

    fn union_members(&mut self, members: &[&TsType]) -> Value {
        let mut strings = Vec::new();
        let mut numbers = Vec::new();
        let mut bools = Vec::new();
        let mut others: Vec<&TsType> = Vec::new();
        for t in members {
            match t {
                TsType::TsLitType(l) => match &l.lit {
                    TsLit::Str(s) => strings.push(Value::String(s.value.to_string_lossy().into())),
                    TsLit::Number(n) => numbers.push(number(n.value)),
                    TsLit::Bool(b) => bools.push(Value::Bool(b.value)),
                    _ => others.push(t),
                },
                _ => others.push(t),
            }
        }
        let kinds = [!strings.is_empty(), !numbers.is_empty(), !bools.is_empty()]
            .iter()
            .filter(|k| **k)
            .count();
        if others.is_empty() && kinds == 1 {
            let (ty, values) = if !strings.is_empty() {
                ("string", strings)
            } else if !numbers.is_empty() {
                ("number", numbers)
            } else {
                ("boolean", bools)
            };
            return enum_of(ty, values);
        }
        if !others.is_empty() && kinds > 0 {
            let mut any: Vec<Value> = others.iter().map(|t| self.type_schema(t)).collect();
            if !strings.is_empty() {
                any.push(enum_of("string", strings));
            }
            if !numbers.is_empty() {
                any.push(enum_of("number", numbers));
            }
            if !bools.is_empty() {
                any.push(enum_of("boolean", bools));
            }
            return keyed("anyOf", Value::Array(any));
        }
        let any: Vec<Value> = members.iter().map(|t| self.type_schema(t)).collect();
        keyed("anyOf", Value::Array(any))
    }

    /// The members of an inline object type literal for the unwrapped-parameter rule: the type
    /// itself, or the **first** literal of a union.
    pub fn inline_literal_parts(&mut self, ty: &TsType) -> Option<ObjectParts> {
        match unparen(ty) {
            TsType::TsTypeLit(lit) => Some(self.members(&lit.members)),
            TsType::TsUnionOrIntersectionType(TsUnionOrIntersectionType::TsUnionType(u)) => {
                u.types.iter().find_map(|t| match unparen(t) {
                    TsType::TsTypeLit(lit) => Some(self.members(&lit.members)),
                    _ => None,
                })
            }
            _ => None,
        }
    }
}

/// Whether a type annotation is (or is a union containing) an inline object type literal.
pub fn has_inline_literal(ty: &TsType) -> bool {
    match unparen(ty) {
        TsType::TsTypeLit(_) => true,
        TsType::TsUnionOrIntersectionType(TsUnionOrIntersectionType::TsUnionType(u)) => u
            .types
            .iter()
            .any(|t| matches!(unparen(t), TsType::TsTypeLit(_))),
        _ => false,
    }
}

pub fn unparen(ty: &TsType) -> &TsType {
    match ty {
        TsType::TsParenthesizedType(p) => unparen(&p.type_ann),
        other => other,
    }
}

/// `Promise<T>` → `T` (also `PromiseLike`), for return types.
pub fn unwrap_promise(ty: &TsType) -> &TsType {
    if let TsType::TsTypeRef(r) = unparen(ty) {
        let name = entity_name(&r.type_name);
        if matches!(name.as_str(), "Promise" | "PromiseLike")
            && let Some(p) = r.type_params.as_ref().and_then(|p| p.params.first())
        {
            return unwrap_promise(p);
        }
    }
    unparen(ty)
}

pub fn entity_name(name: &TsEntityName) -> String {
    match name {
        TsEntityName::Ident(i) => i.sym.to_string(),
        TsEntityName::TsQualifiedName(q) => format!("{}.{}", entity_name(&q.left), q.right.sym),
    }
}

fn prop_key(key: &Expr) -> Option<String> {
    match key {
        Expr::Ident(i) => Some(i.sym.to_string()),
        Expr::Lit(Lit::Str(s)) => Some(s.value.to_string_lossy().into_owned()),
        Expr::Lit(Lit::Num(n)) => Some(number(n.value).to_string()),
        _ => None,
    }
}

fn keyword_schema(kind: TsKeywordTypeKind) -> Value {
    match kind {
        TsKeywordTypeKind::TsStringKeyword => json!({"type": "string"}),
        TsKeywordTypeKind::TsNumberKeyword => json!({"type": "number"}),
        TsKeywordTypeKind::TsBooleanKeyword => json!({"type": "boolean"}),
        TsKeywordTypeKind::TsAnyKeyword | TsKeywordTypeKind::TsUnknownKeyword => json!({}),
        // Alone (not in a union), these say nothing useful about an argument.
        TsKeywordTypeKind::TsUndefinedKeyword | TsKeywordTypeKind::TsVoidKeyword => json!({}),
        TsKeywordTypeKind::TsNullKeyword => json!({"type": "null"}),
        _ => object(),
    }
}

// Schemas are built by moving values into maps: `json!` would serialise (copy) every
// interpolated subtree, which is quadratic in the nesting depth.

fn keyed(key: &str, value: Value) -> Value {
    let mut m = Map::new();
    m.insert(key.to_string(), value);
    Value::Object(m)
}

fn array_of(items: Value) -> Value {
    let mut m = Map::new();
    m.insert("type".into(), Value::String("array".into()));
    m.insert("items".into(), items);
    Value::Object(m)
}

fn enum_of(ty: &str, values: Vec<Value>) -> Value {
    let mut m = Map::new();
    m.insert("type".into(), Value::String(ty.into()));
    m.insert("enum".into(), Value::Array(values));
    Value::Object(m)
}

fn object() -> Value {
    json!({"type": "object"})
}

/// `{type: "object", properties, required?}` (`required` omitted when empty).
pub fn object_schema(properties: Map<String, Value>, required: Vec<String>) -> Value {
    let mut m = Map::new();
    m.insert("type".into(), Value::String("object".into()));
    m.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        m.insert(
            "required".into(),
            Value::Array(required.into_iter().map(Value::String).collect()),
        );
    }
    Value::Object(m)
}

/// Properties and required names of an object schema that has `properties`.
pub fn split_object(schema: &Value) -> Option<ObjectParts> {
    let props = schema.get("properties")?.as_object()?.clone();
    let required = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    Some((props, required))
}

fn set(schema: &mut Value, key: &str, value: Value) {
    if let Value::Object(m) = schema {
        m.insert(key.to_string(), value);
    }
}

/// A JSON number that prints like JavaScript does: `1`, not `1.0`.
pub fn number(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9.007_199_254_740_992e15 {
        Value::from(v as i64)
    } else {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .unwrap_or(Value::Null)
    }
}

/// Allow `null` in a schema: `{type: "string"}` → `{type: ["string", "null"]}` (and `null` in
/// its `enum`); an `anyOf` gains `{type: "null"}`; anything else is wrapped in an `anyOf`.
pub fn make_nullable(schema: Value) -> Value {
    let Value::Object(mut m) = schema else {
        return schema;
    };
    if m.is_empty() {
        return Value::Object(m);
    }
    if let Some(Value::String(t)) = m.get("type").cloned() {
        m.insert("type".into(), json!([t, "null"]));
        if let Some(Value::Array(values)) = m.get_mut("enum") {
            values.push(Value::Null);
        }
        return Value::Object(m);
    }
    if m.len() == 1
        && let Some(Value::Array(any)) = m.get_mut("anyOf")
    {
        any.push(json!({"type": "null"}));
        return Value::Object(m);
    }
    keyed(
        "anyOf",
        Value::Array(vec![Value::Object(m), json!({"type": "null"})]),
    )
}

/// The `type` a constraint is checked against: the type itself, or the first non-null entry of
/// a type array.
pub fn primary_type(schema: &Map<String, Value>) -> Option<&str> {
    match schema.get("type")? {
        Value::String(s) => Some(s),
        Value::Array(a) => a.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => None,
    }
}

/// `@format` values upstream accepts (photon-format §3.3), plus `base:sub` forms.
pub fn is_known_format(f: &str) -> bool {
    const FORMATS: &[&str] = &[
        "email",
        "date",
        "date-time",
        "time",
        "duration",
        "uri",
        "uri-reference",
        "uuid",
        "ipv4",
        "ipv6",
        "hostname",
        "json",
        "table",
        "date-range",
        "datetime-range",
        "password",
        "secret",
        "url",
        "phone",
        "tel",
        "search",
        "color",
        "textarea",
        "slider",
        "tags",
        "rating",
        "radio",
        "segmented",
        "code",
        "markdown",
        "path",
        "file",
        "directory",
    ];
    let base = f.split_once(':').map(|(b, _)| b).unwrap_or(f);
    !base.is_empty() && (FORMATS.contains(&f) || (f.contains(':') && FORMATS.contains(&base)))
}

/// A problem found while applying an inline constraint (reported as a located warning).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConstraintIssue {
    pub tag_index: usize,
    pub message: String,
}

/// Apply `{@...}` constraints to a property schema (§3.3). JSDoc wins over the TS type; with
/// `anyOf`, constraints go to every member and `deprecated`/`examples` also to the top level.
pub fn apply_constraints(schema: &mut Value, tags: &[jsdoc::InlineTag]) -> Vec<ConstraintIssue> {
    let mut issues = Vec::new();
    let Value::Object(top) = schema else {
        return issues;
    };
    if let Some(Value::Array(members)) = top.get_mut("anyOf") {
        for (i, member) in members.iter_mut().enumerate() {
            if let Value::Object(m) = member {
                let found = apply_to(m, tags);
                // Type mismatches are expected on some members; report unknown tags once.
                if i == 0 {
                    issues.extend(
                        found
                            .into_iter()
                            .filter(|f| f.message.starts_with("unknown")),
                    );
                }
            }
        }
        for tag in tags {
            match tag.name.as_str() {
                "deprecated" => {
                    top.insert("deprecated".into(), deprecated_value(&tag.value));
                }
                "example" => push_example(top, &tag.value),
                _ => {}
            }
        }
        return issues;
    }
    apply_to(top, tags)
}

fn deprecated_value(v: &str) -> Value {
    if v.is_empty() {
        Value::Bool(true)
    } else {
        Value::String(v.to_string())
    }
}

fn json_or_string(v: &str) -> Value {
    serde_json::from_str(v).unwrap_or_else(|_| Value::String(v.to_string()))
}

fn push_example(m: &mut Map<String, Value>, v: &str) {
    let value = json_or_string(v);
    match m.get_mut("examples") {
        Some(Value::Array(a)) => a.push(value),
        _ => {
            m.insert("examples".into(), Value::Array(vec![value]));
        }
    }
}

fn apply_to(m: &mut Map<String, Value>, tags: &[jsdoc::InlineTag]) -> Vec<ConstraintIssue> {
    let mut issues = Vec::new();
    let mut issue = |i: usize, msg: String| {
        issues.push(ConstraintIssue {
            tag_index: i,
            message: msg,
        })
    };
    for (i, tag) in tags.iter().enumerate() {
        let ty = primary_type(m).map(str::to_string);
        let ty = ty.as_deref();
        let value = tag.value.as_str();
        match tag.name.as_str() {
            "min" | "max" => {
                let Ok(n) = value.parse::<f64>() else {
                    issue(i, format!("`{{@{} {value}}}` needs a number", tag.name));
                    continue;
                };
                let key = match (ty, tag.name.as_str()) {
                    (Some("number" | "integer"), "min") => "minimum",
                    (Some("number" | "integer"), _) => "maximum",
                    (Some("string"), "min") => "minLength",
                    (Some("string"), _) => "maxLength",
                    (Some("array"), "min") => "minItems",
                    (Some("array"), _) => "maxItems",
                    _ => {
                        issue(
                            i,
                            format!(
                                "`{{@{}}}` applies to numbers, strings and arrays, not to this parameter",
                                tag.name
                            ),
                        );
                        continue;
                    }
                };
                m.insert(key.into(), number(n));
            }
            "pattern" => {
                if ty == Some("string") && !m.contains_key("enum") {
                    m.insert("pattern".into(), Value::String(value.into()));
                } else if ty != Some("string") {
                    issue(i, "`{@pattern}` applies to strings only".into());
                }
            }
            "multipleOf" => match value.parse::<f64>() {
                Ok(n) if n > 0.0 && matches!(ty, Some("number" | "integer")) => {
                    m.insert("multipleOf".into(), number(n));
                }
                _ => issue(
                    i,
                    "`{@multipleOf}` needs a positive number on a number".into(),
                ),
            },
            "unique" | "uniqueItems" => {
                if ty == Some("array") {
                    m.insert("uniqueItems".into(), Value::Bool(true));
                } else {
                    issue(i, format!("`{{@{}}}` applies to arrays only", tag.name));
                }
            }
            "minItems" | "maxItems" => match (value.parse::<f64>(), ty) {
                (Ok(n), Some("array")) => {
                    m.insert(tag.name.clone(), number(n));
                }
                _ => issue(i, format!("`{{@{}}}` needs a number on an array", tag.name)),
            },
            "format" => {
                if is_known_format(value) {
                    m.insert("format".into(), Value::String(value.into()));
                } else {
                    issue(i, format!("unknown format `{value}` was dropped"));
                }
            }
            "choice" => {
                if !m.contains_key("enum") {
                    let values: Vec<Value> = value
                        .split(',')
                        .map(|v| Value::String(v.trim().to_string()))
                        .collect();
                    m.insert("enum".into(), Value::Array(values));
                }
            }
            "default" => {
                m.insert("default".into(), json_or_string(value));
            }
            "example" => push_example(m, value),
            "deprecated" => {
                m.insert("deprecated".into(), deprecated_value(value));
            }
            "readOnly" => {
                m.remove("writeOnly");
                m.insert("readOnly".into(), Value::Bool(true));
            }
            "writeOnly" => {
                m.remove("readOnly");
                m.insert("writeOnly".into(), Value::Bool(true));
            }
            "label" => {
                m.insert("title".into(), Value::String(value.into()));
            }
            "choice-from" => {
                m.insert("x-choiceFrom".into(), Value::String(value.into()));
            }
            "field" => {
                if value == "integer" && ty == Some("number") {
                    m.insert("type".into(), Value::String("integer".into()));
                }
                m.insert("field".into(), Value::String(value.into()));
            }
            "placeholder" | "hint" | "accept" => {
                m.insert(tag.name.clone(), Value::String(value.into()));
            }
            "hidden" => {
                m.insert("hidden".into(), Value::Bool(true));
            }
            other => issue(i, format!("unknown inline tag `{{@{other}}}` was ignored")),
        }
    }
    // `min > max` keeps the minimum only (upstream).
    for (lo, hi) in [
        ("minimum", "maximum"),
        ("minLength", "maxLength"),
        ("minItems", "maxItems"),
    ] {
        if let (Some(a), Some(b)) = (
            m.get(lo).and_then(Value::as_f64),
            m.get(hi).and_then(Value::as_f64),
        ) && a > b
        {
            m.remove(hi);
        }
    }
    issues
}

/// Top-level type aliases, interfaces and enums by name (exported or not). The first
/// declaration of a name wins, as upstream's lookup does.
pub fn type_decls(module: &Module) -> HashMap<String, TypeDecl<'_>> {
    let mut out = HashMap::new();
    for item in &module.body {
        let decl = match item {
            ModuleItem::Stmt(Stmt::Decl(d)) => d,
            ModuleItem::ModuleDecl(ModuleDecl::ExportDecl(e)) => &e.decl,
            _ => continue,
        };
        let (name, td) = match decl {
            Decl::TsTypeAlias(a) => (a.id.sym.to_string(), TypeDecl::Alias(a)),
            Decl::TsInterface(i) => (i.id.sym.to_string(), TypeDecl::Interface(i)),
            Decl::TsEnum(e) => (e.id.sym.to_string(), TypeDecl::Enum),
            _ => continue,
        };
        out.entry(name).or_insert(td);
    }
    out
}
