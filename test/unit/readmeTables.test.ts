/** README.md is the Marketplace page: its commands and settings tables match package.json, and every image and local link it names exists. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { commandsTable, settingsTable, updateReadme } from '../../scripts/readmeTables';

const root = path.resolve(__dirname, '..', '..', '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

test('the README commands and settings tables are the ones package.json generates', () => {
  assert.equal(updateReadme(readme, pkg), readme, 'README.md is out of date: run `npm run build && node out/scripts/readmeTables.js`');
});

test('every contributed command and setting has a row', () => {
  const commands = commandsTable(pkg);
  for (const c of pkg.contributes.commands) assert.ok(commands.includes(`| ${c.category}: ${c.title} |`), c.command);
  const settings = settingsTable(pkg);
  for (const name of Object.keys(pkg.contributes.configuration.properties)) assert.ok(settings.includes(`| \`${name}\` |`), name);
});

test('a command added to package.json shows up in the regenerated table', () => {
  const more = structuredClone(pkg);
  more.contributes.commands.push({ command: 'vasculatureExplorer.zzz', title: 'Brand New', category: 'Vasculature' });
  const next = updateReadme(readme, more);
  assert.notEqual(next, readme);
  assert.match(next, /\| Vasculature: Brand New \| - \| - \|/);
});

test('the images and local links in README.md exist (the VSIX and the Marketplace page show them)', () => {
  const targets = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]).filter((t) => !/^[a-z]+:/.test(t));
  assert.ok(targets.filter((t) => t.startsWith('media/screenshots/')).length >= 4, 'real screenshots are shown');
  for (const t of targets) assert.ok(fs.existsSync(path.join(root, t)), `README links to ${t}, which does not exist`);
});

test('package.json has what a Marketplace / Open VSX listing needs', () => {
  assert.equal(pkg.preview, true);
  assert.match(pkg.icon, /\.png$/);
  assert.ok(fs.existsSync(path.join(root, pkg.icon)), pkg.icon);
  assert.match(pkg.repository.url, /^https:\/\//);
  assert.ok(pkg.categories.length > 0 && pkg.keywords.length > 0);
  assert.match(pkg.galleryBanner.color, /^#[0-9a-f]{6}$/i);
  assert.ok(fs.existsSync(path.join(root, 'CHANGELOG.md')) && fs.existsSync(path.join(root, 'LICENSE')));
  assert.match(fs.readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8'), new RegExp(`## ${pkg.version.replace(/\./g, '\\.')}\\b`), 'CHANGELOG.md has the current version');
});
