import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { decodeTile } from '../../src/core/image';
import { parseContractStatements, toInputTensor } from '../../src/core/model';
import { applyContractStain, macenkoNormalise, MACENKO_REFERENCE, reinhardNormalise } from '../../src/core/stain';
import { SAMPLE } from './helpers/paths';

const tile = path.join(SAMPLE, 'train', '0667203ecaac.tif');

describe('model contract: stainNormalise', () => {
  it('reads {method, target} from a sidecar and names the file on a malformed one', () => {
    const s = parseContractStatements({ stainNormalise: { method: 'reinhard', target: { mean: [137.193, 162.05, 108.921], std: [38.404, 11.281, 7.362] } } }, 'm.onnx.json');
    assert.deepEqual(s.stainNormalise, { method: 'reinhard', target: { mean: [137.193, 162.05, 108.921], std: [38.404, 11.281, 7.362] } });
    assert.deepEqual(parseContractStatements({ stainNormalise: { method: 'macenko' } }, 'm.json').stainNormalise, { method: 'macenko', target: 'reference' });
    assert.throws(() => parseContractStatements({ stainNormalise: { method: 'vahadane' } }, 'x.onnx.json'), /x\.onnx\.json.*stainNormalise/);
    assert.throws(() => parseContractStatements({ stainNormalise: { method: 'reinhard', target: { mean: [1, 2], std: [1, 1, 1] } } }, 'y.json'), /y\.json.*stainNormalise/);
  });

  it('preprocessing feeds the normalised tile: Reinhard and Macenko pixels reach the tensor', async () => {
    const d = await decodeTile(tile);
    const target = { mean: [137.193, 162.05, 108.921] as [number, number, number], std: [38.404, 11.281, 7.362] as [number, number, number] };
    const r = applyContractStain(d, { method: 'reinhard', target });
    assert.deepEqual(r.data, reinhardNormalise(d, target).data);
    const m = applyContractStain(d, { method: 'macenko', target: 'reference' });
    assert.deepEqual(m.data, macenkoNormalise(d, MACENKO_REFERENCE).data);
    const contract = { inputSize: undefined, sizeMultiple: 1, inputRank: 4 as const, channelOrder: 'RGB' as const, scale: 255, mean: [0, 0, 0] as [number, number, number], std: [1, 1, 1] as [number, number, number] };
    const plain = toInputTensor(d, contract), normed = toInputTensor(r, contract);
    // First pixel's red value in the tensor is the normalised pixel's, not the original's.
    assert.ok(Math.abs(normed.data[0] - r.data[0] / 255) < 1e-6, `${normed.data[0]} vs ${r.data[0] / 255}`);
    assert.ok(r.data[0] !== d.data[0], 'the first pixel changed');
    assert.notEqual(plain.data[0], normed.data[0]);
  });

  it('a tile the method cannot handle goes in unchanged with the reason', () => {
    const white = { width: 64, height: 64, channels: 4 as const, data: new Uint8Array(64 * 64 * 4).fill(255) };
    const r = applyContractStain(white, { method: 'macenko', target: 'reference' });
    assert.deepEqual(r.data, white.data);
    assert.match(r.stainNote ?? '', /all white/);
  });
});
