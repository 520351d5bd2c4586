// Parses an AsyncAPI document with @asyncapi/parser and prints every diagnostic; exits 1 on an
// error (or, with --strict, on a warning too). Usage: node validate.mjs FILE [--strict]
import { readFile } from 'node:fs/promises';
import { Parser, DiagnosticSeverity } from '@asyncapi/parser';

const [file, ...flags] = process.argv.slice(2);
if (!file) {
  console.error('usage: node validate.mjs FILE [--strict]');
  process.exit(2);
}
const strict = flags.includes('--strict');
const parser = new Parser();
const { document, diagnostics } = await parser.parse(await readFile(file, 'utf8'), { source: file });
const names = { 0: 'error', 1: 'warning', 2: 'information', 3: 'hint' };
let failed = !document;
for (const d of diagnostics) {
  const where = (d.path || []).join('.');
  console.log(`${names[d.severity] ?? d.severity}: ${d.code}: ${d.message} at ${where || '/'}`);
  if (d.severity === DiagnosticSeverity.Error || (strict && d.severity === DiagnosticSeverity.Warning)) {
    failed = true;
  }
}
if (document) {
  console.log(`parsed AsyncAPI ${document.version()}: ${document.channels().length} channels, `
    + `${document.operations().length} operations, ${document.components().messages().length} messages`);
}
process.exit(failed ? 1 : 0);
