/** The "labels" integration suite opens the real sample (its own suite so it can run alone: runIntegration.js labels). */
import { sampleDataset } from '../../harness/paths';

export async function createWorkspace(): Promise<string> {
  return sampleDataset;
}
