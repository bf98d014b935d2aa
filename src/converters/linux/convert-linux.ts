// The Linux converter the registry lists: the common steps (linux-converter.ts) run with the
// family that inspection's distro belongs to. A new family is one more line in LINUX_FAMILIES.
import type { Converter } from "../../model/contracts.js";
import { altFamily } from "./alt/family.js";
import { debianFamily } from "./debian/family.js";
import type { LinuxFamily } from "./family.js";
import { linuxConverterFor } from "./linux-converter.js";
import { rhelFamily } from "./rhel/family.js";
import { suseFamily } from "./suse/family.js";

export const LINUX_FAMILIES: readonly LinuxFamily[] = [
  debianFamily,
  rhelFamily,
  suseFamily,
  altFamily,
];

const familyConverters = LINUX_FAMILIES.map(linuxConverterFor);

/** One "linux" converter: it hands the guest to the first family whose distro list has it. */
export const linuxConverter: Converter = {
  name: "linux",
  supports: familyConverters.map((c) => c.supports).join(", "),
  handles: (insp) => familyConverters.some((c) => c.handles(insp)),
  convert: (g, insp, source, ctx, opts) => familyConverters.find((c) => c.handles(insp))!.convert(g, insp, source, ctx, opts),
};
