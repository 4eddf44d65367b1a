// The public API of a package, read from its entry point with the TypeScript compiler API: every exported name with
// its kind, which of them (and which of their public members) lack a TSDoc comment, and which types the public
// declarations mention that the entry point does not export (a user could not name them). Used by the tests
// packages/{core,workers}/test/public-api.test.ts; it reads sources, so no build is needed for the package's own
// names (names from other packages resolve through their dist/ declarations).

import { dirname, resolve } from 'node:path';
import ts from 'typescript';

const KINDS = [
  [ts.SyntaxKind.FunctionDeclaration, 'function'],
  [ts.SyntaxKind.ClassDeclaration, 'class'],
  [ts.SyntaxKind.InterfaceDeclaration, 'interface'],
  [ts.SyntaxKind.TypeAliasDeclaration, 'type'],
  [ts.SyntaxKind.EnumDeclaration, 'enum'],
  [ts.SyntaxKind.VariableDeclaration, 'const'],
];
const kindOf = (d) => KINDS.find(([k]) => k === d.kind)?.[1] ?? ts.SyntaxKind[d.kind];

/** A JSDoc block with some prose (tags alone do not say what a thing is). */
function hasDoc(node) {
  return ts
    .getJSDocCommentsAndTags(node)
    .some((j) => ts.isJSDoc(j) && (ts.getTextOfJSDocComment(j.comment) ?? '').trim().length > 0);
}

const isHidden = (m) =>
  (ts.getCombinedModifierFlags(m) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !== 0 ||
  (m.name !== undefined && ts.isPrivateIdentifier(m.name));

/** An `override` member is documented where it is declared first (Error.name, …). */
const isOverride = (m) => (ts.getCombinedModifierFlags(m) & ts.ModifierFlags.Override) !== 0;

/** The members a user reaches: properties, methods and accessors of a class or interface, not private ones. */
function publicMembers(decl) {
  if (!ts.isClassDeclaration(decl) && !ts.isInterfaceDeclaration(decl)) return [];
  return decl.members.filter(
    (m) => !ts.isConstructorDeclaration(m) && !ts.isIndexSignatureDeclaration(m) && !isHidden(m) && !isOverride(m),
  );
}

/** The parts of a declaration a user sees: signatures and types, not function bodies or initializers. */
function visibleParts(decl) {
  if (ts.isFunctionDeclaration(decl)) return [...decl.parameters, decl.type, ...(decl.typeParameters ?? [])];
  if (ts.isVariableDeclaration(decl)) return [decl.type];
  if (ts.isClassDeclaration(decl)) {
    const ctor = decl.members.filter((m) => ts.isConstructorDeclaration(m)).flatMap((c) => c.parameters);
    const members = publicMembers(decl).flatMap((m) => [m.type, ...(m.parameters ?? [])]);
    return [...(decl.heritageClauses ?? []), ...ctor.filter((p) => !isHidden(p)).map((p) => p.type), ...members];
  }
  return [decl];
}

/**
 * @param {string[]} entries paths of packages' src/index.ts, read in one program (parsed once, checked once)
 * @returns {{ names: string[], undocumented: string[], unexportedTypes: string[] }[]} one surface per entry
 */
export function apiSurfaces(entries) {
  const files = entries.map((e) => resolve(e));
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    allowImportingTsExtensions: true,
    noEmit: true,
    strict: true,
    skipLibCheck: true,
    types: ['node'],
  });
  const checker = program.getTypeChecker();
  return files.map((file) => surfaceOf(program, checker, file));
}

function surfaceOf(program, checker, file) {
  const srcDir = dirname(file);
  const source = program.getSourceFile(file);
  const target = (s) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
  const exported = checker
    .getExportsOfModule(checker.getSymbolAtLocation(source))
    .map((s) => ({ name: s.name, sym: target(s) }));
  const publicSyms = new Set(exported.map((e) => e.sym));
  const ours = (d) => resolve(d.getSourceFile().fileName).startsWith(`${srcDir}/`);

  const names = [];
  const undocumented = [];
  const unexported = new Set();
  for (const { name, sym } of exported) {
    const decls = sym.declarations ?? [];
    names.push(`${kindOf(decls[0])} ${name}`);
    if (!decls.some(hasDoc)) undocumented.push(name);
    for (const d of decls) {
      for (const m of publicMembers(d)) if (!hasDoc(m)) undocumented.push(`${name}.${m.name?.getText() ?? '(member)'}`);
      const visit = (n) => {
        if (n === undefined) return;
        if (ts.isTypeReferenceNode(n) || ts.isExpressionWithTypeArguments(n)) {
          const at = ts.isTypeReferenceNode(n) ? n.typeName : n.expression;
          const ref = checker.getSymbolAtLocation(at);
          const t = ref && target(ref);
          const named = t && !(t.flags & ts.SymbolFlags.TypeParameter) && (t.declarations ?? []).some(ours);
          if (named && !publicSyms.has(t)) unexported.add(`${name} → ${t.name}`);
        }
        ts.forEachChild(n, visit);
      };
      for (const part of visibleParts(d)) visit(part);
    }
  }
  const byName = (a, b) => (a.split(' ')[1] < b.split(' ')[1] ? -1 : a.split(' ')[1] > b.split(' ')[1] ? 1 : 0);
  return { names: names.sort(byName), undocumented: undocumented.sort(), unexportedTypes: [...unexported].sort() };
}
