/** The demo's profile (scripts/demo.sh): a person's settings survive a restart, and each dataset folder gets its own user-data folder. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { demoProfileDir, prepareProfile } from '../harness/codeServer';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 've-demo-profile-'));

test('a second start keeps what the person changed in the demo profile and adds only missing defaults', () => {
  const dir = tmp();
  const user = path.join(dir, 'user-data'), ext = path.join(dir, 'extensions');
  prepareProfile(user, ext, {}, true);
  const file = path.join(user, 'User', 'settings.json');
  const first = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  assert.equal(first['telemetry.telemetryLevel'], 'off');
  // The person changes the theme and the tree page size, and removes a default.
  const mine: Record<string, unknown> = { ...first, 'workbench.colorTheme': 'Default Dark Modern', 'vasculatureExplorer.tree.pageSize': 100 };
  delete mine['workbench.tips.enabled'];
  fs.writeFileSync(file, JSON.stringify(mine));
  prepareProfile(user, ext, {}, true);
  const second = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  assert.equal(second['workbench.colorTheme'], 'Default Dark Modern');
  assert.equal(second['vasculatureExplorer.tree.pageSize'], 100);
  assert.equal(second['workbench.tips.enabled'], false, 'a missing default comes back');
  // A settings.json with comments (VS Code allows them) is left byte for byte.
  const commented = '{\n  // mine\n  "workbench.colorTheme": "Default Light Modern",\n}\n';
  fs.writeFileSync(file, commented);
  prepareProfile(user, ext, {}, true);
  assert.equal(fs.readFileSync(file, 'utf8'), commented);
  // The test harness (keepUserSettings off) still starts from its defaults every time.
  prepareProfile(user, ext, {});
  assert.equal((JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>)['workbench.colorTheme'], undefined);
});

test('two demo folders get two profile folders; the same folder the same one', () => {
  const root = '/repo';
  const a = demoProfileDir(root, '/data/hhv-sample');
  const b = demoProfileDir(root, '/other/hhv-sample');
  assert.notEqual(a, b, 'same folder name, different paths');
  assert.equal(demoProfileDir(root, '/data/hhv-sample/'), a);
  assert.match(path.basename(a), /^hhv-sample-[0-9a-f]{10}$/);
  assert.equal(path.dirname(a), path.join(root, '.vscode-test', 'demo'));
});

test("the desktop branch of demo.sh gives every `code` call the folder's own user-data and extensions folders", () => {
  const script = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'scripts', 'demo.sh'), 'utf8');
  const calls = script.split('\n').map((l) => l.trim()).filter((l) => /^(exec )?code /.test(l));
  assert.ok(calls.length >= 2, `install and open: ${calls.join(' | ')}`);
  for (const c of calls) {
    assert.match(c, /--user-data-dir "\$DEMO_PROFILE\/user-data"/, c);
    assert.match(c, /--extensions-dir "\$DEMO_EXTENSIONS"/, c);
  }
});

test('empty states and titles in package.json carry no literal backticks (they are not Markdown there)', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { contributes: unknown };
  const bad: string[] = [];
  const walk = (o: unknown, at: string) => {
    if (typeof o === 'string') { if (o.includes('`') && !/markdown(Description|EnumDescriptions)/.test(at)) bad.push(at); }
    else if (o && typeof o === 'object') for (const [k, v] of Object.entries(o)) walk(v, `${at}.${k}`);
  };
  walk(pkg.contributes, 'contributes');
  assert.deepEqual(bad, []);
});
