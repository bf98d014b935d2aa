// The Linux converter the registry lists: the common steps (linux-converter.ts) run with the
// Debian family's choices (debian/family.ts). Another family is one more line here, built the same way.
import type { Converter } from "../../model/contracts.js";
import { debianFamily } from "./debian/family.js";
import { linuxConverterFor } from "./linux-converter.js";

export const linuxConverter: Converter = linuxConverterFor(debianFamily);
