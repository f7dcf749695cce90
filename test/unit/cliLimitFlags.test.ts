/** The global `--limit name=value` caps flag and a subcommand's own `--limit n` live side by side. */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { applyLimitFlags } from '../../src/cli/main';
import { LIMIT_INFO } from '../../src/core/limits';

describe('CLI --limit flags', () => {
  it("leaves predict's own `--limit 2` to the subcommand", () => {
    assert.deepEqual(applyLimitFlags(['predict', 'folder', '--limit', '2', '--json']), ['predict', 'folder', '--limit', '2', '--json']);
  });

  it('takes a cap given as name=value out of argv, and refuses an unknown cap name', () => {
    const name = Object.values(LIMIT_INFO)[0].cli;
    assert.deepEqual(applyLimitFlags(['score', 'a.csv', 'ds', '--limit', `${name}=5`]), ['score', 'a.csv', 'ds']);
    assert.throws(() => applyLimitFlags(['score', '--limit', 'noSuchCap=5']), /--limit wants <name>=<number>/);
    applyLimitFlags([]); // back to the defaults for the rest of this process
  });
});
