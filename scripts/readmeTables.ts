/**
 * The README's commands and settings tables, generated from package.json (between the
 * `<!-- commands:start/end -->` and `<!-- settings:start/end -->` markers).
 * `node out/scripts/readmeTables.js` rewrites README.md; `--check` exits 1 when it is out of date.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

interface Command { command: string; title: string; category?: string }
interface MenuItem { command: string; when?: string; group?: string }
interface Setting { type?: string | string[]; default?: unknown; enum?: unknown[]; description?: string; markdownDescription?: string }
interface Manifest {
  contributes?: {
    commands?: Command[];
    menus?: Record<string, MenuItem[]>;
    keybindings?: { command: string; key: string; mac?: string }[];
    configuration?: { properties?: Record<string, Setting> } | { properties?: Record<string, Setting> }[];
  };
}

/** Where each menu puts a command, in words a user recognises. */
const MENU_WORDS: Record<string, string> = {
  'view/title': 'tile browser title bar',
  'view/item/context': 'tile row',
  'editor/title': 'tile viewer title bar',
  'explorer/context': 'Explorer right-click',
  'webview/context': 'tile viewer right-click',
};

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** The commands table: palette title, where else it appears, key binding. */
export function commandsTable(pkg: Manifest): string {
  const c = pkg.contributes ?? {};
  const menus = c.menus ?? {};
  const hidden = new Set((menus.commandPalette ?? []).filter((m) => m.when === 'false').map((m) => m.command));
  const rows = ['| command | also in | key |', '|---|---|---|'];
  for (const cmd of c.commands ?? []) {
    const where = Object.entries(MENU_WORDS)
      .filter(([menu]) => (menus[menu] ?? []).some((m) => m.command === cmd.command && m.when !== 'false'))
      .map(([, words]) => words);
    if (hidden.has(cmd.command)) where.unshift('not in the palette');
    const key = (c.keybindings ?? []).filter((k) => k.command === cmd.command).map((k) => `${k.key}${k.mac ? ` (mac: ${k.mac})` : ''}`).join(', ');
    const title = cmd.category ? `${cmd.category}: ${cmd.title}` : cmd.title;
    rows.push(`| ${cell(title)} | ${cell(where.join(', ') || '-')} | ${key ? '`' + key + '`' : '-'} |`);
  }
  return rows.join('\n');
}

/** The settings table: name, type, default, description. */
export function settingsTable(pkg: Manifest): string {
  const conf = pkg.contributes?.configuration;
  const props: Record<string, Setting> = {};
  for (const c of Array.isArray(conf) ? conf : conf ? [conf] : []) Object.assign(props, c.properties ?? {});
  const rows = ['| setting | type | default | description |', '|---|---|---|---|'];
  for (const [name, s] of Object.entries(props)) {
    const type = s.enum ? s.enum.map((v) => `\`${String(v)}\``).join(' \\| ') : Array.isArray(s.type) ? s.type.join(' \\| ') : s.type ?? '-';
    const def = s.default === undefined ? '-' : '`' + JSON.stringify(s.default) + '`';
    rows.push(`| \`${name}\` | ${type} | ${def} | ${cell(s.markdownDescription ?? s.description ?? '')} |`);
  }
  return rows.join('\n');
}

/** readme with the text between each marker pair replaced by the generated table. */
export function updateReadme(readme: string, pkg: Manifest): string {
  let out = readme;
  for (const [name, table] of [['commands', commandsTable(pkg)], ['settings', settingsTable(pkg)]] as const) {
    const start = `<!-- ${name}:start -->`;
    const end = `<!-- ${name}:end -->`;
    const a = out.indexOf(start);
    const b = out.indexOf(end);
    if (a < 0 || b < a) throw new Error(`README.md: the markers ${start} ... ${end} are missing or out of order`);
    out = `${out.slice(0, a + start.length)}\n${table}\n${out.slice(b)}`;
  }
  return out;
}

if (require.main === module) {
  const root = path.resolve(__dirname, '..', '..');
  const file = path.join(root, 'README.md');
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;
  const now = fs.readFileSync(file, 'utf8');
  const next = updateReadme(now, pkg);
  if (process.argv.includes('--check')) {
    if (now !== next) {
      console.error('README.md: the commands/settings tables differ from package.json. Run: npm run build && node out/scripts/readmeTables.js');
      process.exit(1);
    }
    console.log('README.md tables match package.json');
  } else if (now !== next) {
    fs.writeFileSync(file, next);
    console.log('README.md: commands and settings tables rewritten from package.json');
  } else console.log('README.md tables already match package.json');
}
