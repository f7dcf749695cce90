import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { CLASS_COLORS, OUTCOME_COLORS, classColor, rgba } from '../../src/core/palette/palette';
import { CLASS_NAMES } from '../../src/core/types/types';

const repoRoot = path.resolve(__dirname, '..', '..', '..');

describe('palette', () => {
  it('has a colour for every class and outcome, hex and rgb agreeing', () => {
    for (const c of [...CLASS_NAMES.map((n) => CLASS_COLORS[n]), OUTCOME_COLORS.tp, OUTCOME_COLORS.fp, OUTCOME_COLORS.fn]) {
      assert.match(c.hex, /^#[0-9a-f]{6}$/);
      assert.equal(`#${c.rgb.map((v) => v.toString(16).padStart(2, '0')).join('')}`, c.hex);
    }
    assert.deepEqual(CLASS_COLORS.blood_vessel.rgb, [0xd5, 0x5e, 0x00]);
    assert.equal(classColor('nonsense').hex, CLASS_COLORS.unsure.hex);
    assert.equal(rgba(OUTCOME_COLORS.tp, 0.5), 'rgba(0, 158, 115, 0.5)');
  });
  it('keeps >= 3:1 contrast on light, dark and high-contrast themes and stays distinct under colour-vision deficiencies', () => {
    const groups = {
      classes: Object.fromEntries(CLASS_NAMES.map((n) => [n, CLASS_COLORS[n].hex])),
      outcomes: { tp: OUTCOME_COLORS.tp.hex, fp: OUTCOME_COLORS.fp.hex, fn: OUTCOME_COLORS.fn.hex },
    };
    const out = JSON.parse(execFileSync('/usr/bin/python3', [path.join(repoRoot, 'test/unit/py/palette_check.py')], { input: JSON.stringify(groups), encoding: 'utf8' })) as {
      contrast: Record<string, { light: number; dark: number; hc: number }>;
      minDeltaE: Record<string, [number, string, string]>;
    };
    for (const [name, c] of Object.entries(out.contrast)) {
      assert.ok(Math.min(c.light, c.dark, c.hc) >= 3, `${name}: ${JSON.stringify(c)}`);
    }
    for (const [g, [d, pair, vision]] of Object.entries(out.minDeltaE)) {
      console.log(`  ${g}: min dE ${d.toFixed(1)} (${pair}, ${vision})`);
      assert.ok(d >= 30, `${g}: ${pair} only dE ${d} under ${vision}`);
    }
  });
});
