// Mode name -> module. Adding an input, output or converter is one line here.
import { diskInput } from "../inputs/disk.js";
import { ovaInput } from "../inputs/ova.js";
import { linuxConverter } from "../converters/linux/convert-linux.js";
import { jsonOutput } from "../outputs/json/json.js";
import { localOutput } from "../outputs/local/local.js";
import { nullOutput } from "../outputs/null/null.js";
import { qemuOutput } from "../outputs/qemu/qemu.js";
import type { Converter, InputModule, OutputModule } from "../model/contracts.js";
import type { InputMode, OutputMode } from "../model/types.js";

export const INPUTS: Readonly<Record<InputMode, InputModule>> = { disk: diskInput, ova: ovaInput };

export const OUTPUTS: Readonly<Record<OutputMode, OutputModule>> = {
  local: localOutput,
  qemu: qemuOutput,
  null: nullOutput,
  json: jsonOutput,
};

export const CONVERTERS: readonly Converter[] = [linuxConverter];
