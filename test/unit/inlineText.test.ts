import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import * as vm from 'node:vm';
import { inlineScriptText, inlineStyleText } from '../../src/shared/inlineText';

// out/test/unit -> repository root
const root = path.resolve(__dirname, '..', '..', '..');

test('inlined script text means the same: strings, templates, regular expressions and comments that hold </script and <!--', () => {
  const src = [
    "var a = '</script><!-- x';",
    'var b = `</SCRIPT>${1 + 1}<!--`;',
    'var c = /<\\/script>/i.test("</script>") && /<!--/.test("<!--");',
    '// a comment with </script> in it',
    '/* and <!-- this */',
    'result = [a, b, c];',
    '//# sourceMappingURL=x.js.map',
  ].join('\n');
  const out = inlineScriptText(src);
  assert.ok(!/<\/script/i.test(out), out);
  assert.ok(!out.includes('<!--'), out);
  assert.ok(!out.includes('sourceMappingURL'), 'the map comment is dropped (the page has no map next to it)');
  const run = (code: string) => { const ctx: { result?: unknown } = {}; vm.runInNewContext(code, ctx); return JSON.parse(JSON.stringify(ctx.result)) as unknown; };
  assert.deepEqual(run(out), run(src));
  assert.deepEqual(run(out), ['</script><!-- x', '</SCRIPT>2<!--', true]);
});

test('every built webview bundle inlines without a </script or <!-- and still compiles', () => {
  const dir = path.join(root, 'dist', 'webview');
  const bundles = fs.readdirSync(dir).filter((n) => n.endsWith('.js'));
  assert.ok(bundles.length >= 5, `bundles in ${dir}: ${bundles.join(', ')}`);
  for (const n of bundles) {
    const out = inlineScriptText(fs.readFileSync(path.join(dir, n), 'utf8'));
    assert.ok(!/<\/script/i.test(out) && !out.includes('<!--'), n);
    assert.doesNotThrow(() => new vm.Script(out, { filename: n }), n);
  }
});

test('inlined style text cannot end its <style> element', () => {
  assert.equal(inlineStyleText('a::after { content: "</style>"; }'), 'a::after { content: "<\\/style>"; }');
});
