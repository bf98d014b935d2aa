// The capability list `v2v --machine-readable` prints when given no source, one word a line.
import { INPUT_MODES, OUTPUT_MODES } from "../model/types.js";

/**
 * Tools that drive virt-v2v grep this list to learn what a binary supports. Modes come from
 * types.ts so the list follows what is implemented; converter names come from the registry
 * (default: linux, the only converter so far).
 */
export function listCapabilities(converterNames: readonly string[] = ["linux"]): string[] {
  return [
    "v2v",
    "v2v-ts",
    ...INPUT_MODES.map((m) => `input:${m}`),
    ...OUTPUT_MODES.map((m) => `output:${m}`),
    ...converterNames.map((c) => `convert:${c}`),
    "colours-option",
    "machine-readable",
    "print-source",
  ];
}
