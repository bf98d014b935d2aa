// The capability list `v2v --machine-readable` prints when given no source, one word a line.
import type { Converter, InputModule, OutputModule } from "../model/contracts.js";
import { inputCapability, outputCapability } from "../model/modes.js";
import { CONVERTERS, INPUTS, OUTPUTS } from "../pipeline/registry.js";

/**
 * Tools that drive virt-v2v grep this list to learn what a binary supports. Modes and converters
 * come from the registry, so the list follows what is implemented.
 */
export function listCapabilities(
  modes: { inputs: readonly InputModule[]; outputs: readonly OutputModule[]; converters: readonly Pick<Converter, "name">[] } =
  { inputs: INPUTS, outputs: OUTPUTS, converters: CONVERTERS },
): string[] {
  return [
    "v2v",
    "v2v-ts",
    ...modes.inputs.map((m) => inputCapability(m.spec)),
    ...modes.outputs.map((m) => outputCapability(m.spec)),
    ...modes.converters.map((c) => `convert:${c.name}`),
    "colours-option",
    "machine-readable",
    "print-source",
  ];
}
