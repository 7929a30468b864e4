import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { envList, envNumber, hotSetPicker, nodesFor, poissonGapMs } from './lib/load.js';

/**
 * Every k6 script parses as an ES module (TypeScript's parser, the same one `npm run typecheck`
 * uses) and exports what k6 needs: `options` and a default function. k6 itself is not installable
 * here; the framing the scripts speak is tested against a real server in wire.test.ts.
 */

const dir = fileURLToPath(new URL('.', import.meta.url));
const scripts = readdirSync(dir).filter((f) => f.endsWith('.js'));

function exportsOf(file: string): { names: Set<string>; defaultFunction: boolean; imports: string[]; syntaxErrors: string[] } {
  const text = readFileSync(`${dir}/${file}`, 'utf8');
  const out = ts.transpileModule(text, {
    fileName: file,
    reportDiagnostics: true,
    compilerOptions: { allowJs: true, module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2020 },
  });
  const syntaxErrors = (out.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2020, true, ts.ScriptKind.JS);
  const names = new Set<string>();
  const imports: string[] = [];
  let defaultFunction = false;
  const isExported = (n: ts.Node) =>
    ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  const isDefault = (n: ts.Node) =>
    ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
  for (const st of source.statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) imports.push(st.moduleSpecifier.text);
    if (ts.isFunctionDeclaration(st) && isExported(st)) {
      if (isDefault(st)) defaultFunction = true;
      else if (st.name) names.add(st.name.text);
    }
    if (ts.isVariableStatement(st) && isExported(st)) {
      for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) names.add(d.name.text);
    }
  }
  return { names, defaultFunction, imports, syntaxErrors };
}

/** Optional chaining, nullish coalescing and exponentiation in a script. */
function laterSyntax(text: string): string[] {
  const found: string[] = [];
  const visit = (n: ts.Node) => {
    if ((ts.isPropertyAccessExpression(n) || ts.isElementAccessExpression(n) || ts.isCallExpression(n)) && n.questionDotToken)
      found.push('?.');
    if (ts.isBinaryExpression(n)) {
      const k = n.operatorToken.kind;
      if (k === ts.SyntaxKind.QuestionQuestionToken || k === ts.SyntaxKind.QuestionQuestionEqualsToken) found.push('??');
      if (k === ts.SyntaxKind.AsteriskAsteriskToken || k === ts.SyntaxKind.AsteriskAsteriskEqualsToken) found.push('**');
    }
    ts.forEachChild(n, visit);
  };
  visit(ts.createSourceFile('x.js', text, ts.ScriptTarget.ES2020, true, ts.ScriptKind.JS));
  return found;
}

describe('k6 scripts', () => {
  it('are the four documented ones', () => {
    expect(scripts.sort()).toEqual(['coedit.js', 'handshake-flood.js', 'presence-churn.js', 'vote-storm.js']);
  });

  for (const file of scripts) {
    it(`${file} parses as an ES module, exports options and a default function, imports only k6 and ./lib`, () => {
      const e = exportsOf(file);
      expect(e.syntaxErrors).toEqual([]);
      expect(e.names.has('options')).toBe(true);
      expect(e.defaultFunction).toBe(true);
      for (const spec of e.imports) expect(spec === 'k6' || spec.startsWith('k6/') || spec.startsWith('./lib/')).toBe(true);
    });
  }

  it('lib modules other than k6-rest.js import nothing, so Node and k6 share them', () => {
    for (const file of readdirSync(`${dir}/lib`).filter((f) => f.endsWith('.js') && f !== 'k6-rest.js')) {
      const text = readFileSync(`${dir}/lib/${file}`, 'utf8');
      expect(text, file).not.toMatch(/^\s*import\s/m);
    }
  });

  it('use no syntax that k6 0.46 rejects (its Babel pass predates ?., ?? and **)', () => {
    const files = [
      ...scripts,
      ...readdirSync(`${dir}/lib`)
        .filter((f) => f.endsWith('.js'))
        .map((f) => `lib/${f}`),
    ];
    for (const file of files) expect(laterSyntax(readFileSync(`${dir}/${file}`, 'utf8')), file).toEqual([]);
    expect(laterSyntax('const a = {}; const b = a?.c ?? 2 ** 3; f?.(); a?.[1];').sort()).toEqual(['**', '?.', '?.', '?.', '??']);
  });

  it('a script that does not parse is caught', () => {
    const out = ts.transpileModule('export const options = {;\nexport default function () {}', {
      fileName: 'x.js',
      reportDiagnostics: true,
      compilerOptions: { allowJs: true },
    });
    expect(out.diagnostics?.length).toBeGreaterThan(0);
  });
});

describe('vote distribution and settings', () => {
  it('puts 90% of the votes on a hot set of 20 of 200 ideas, most on the first, and spreads the rest', () => {
    const pick = hotSetPicker(200);
    const hits = new Array<number>(200).fill(0);
    const n = 200_000;
    // A fixed grid of uniforms instead of random numbers: the test is exact and repeatable.
    for (let i = 0; i < n; i++) hits[pick((i + 0.5) / n)]!++;
    const hot = hits.slice(0, 20).reduce((a, b) => a + b, 0);
    expect(hot / n).toBeCloseTo(0.9, 3);
    expect(hits[0]! > hits[1]! && hits[1]! > hits[5]! && hits[5]! > hits[19]!).toBe(true);
    expect(hits[0]! / hits[1]!).toBeCloseTo(2, 1);
    const cold = hits.slice(20);
    expect(Math.min(...cold)).toBeGreaterThan(0);
    expect(Math.max(...cold) - Math.min(...cold)).toBeLessThanOrEqual(1);
  });

  it('reads numbers and lists from the environment and refuses bad ones', () => {
    expect(envNumber({ X: '12.5' }, 'X', 1)).toBe(12.5);
    expect(envNumber({}, 'X', 7)).toBe(7);
    expect(() => envNumber({ X: 'lots' }, 'X', 1)).toThrow(/X must be/);
    expect(envList({ U: 'http://a, http://b,' }, 'U', [])).toEqual(['http://a', 'http://b']);
    expect(nodesFor(['a', 'b'], 1)).toEqual({ home: 'a', other: 'b' });
    expect(nodesFor(['a', 'b'], 2)).toEqual({ home: 'b', other: 'a' });
    expect(poissonGapMs(10, 1 - Math.exp(-1))).toBeCloseTo(100, 6);
  });
});
