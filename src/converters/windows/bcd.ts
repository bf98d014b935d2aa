// Pure: the edit virt-v2v makes to a UEFI Windows guest's boot configuration (the BCD hive on
// the ESP, EFI/Microsoft/Boot/BCD). The boot manager's object names its default loader entry;
// that entry's "graphicsmodedisabled" element (16000046) is removed, so the loader does not
// switch the display off when it starts on the new firmware.
import type { Hive } from "../../registry/hive.js";
import { valueString } from "../../registry/values.js";

/** The Windows Boot Manager's well-known object. */
export const BOOTMGR_OBJECT = "{9dea862c-5cdd-4e70-acc1-f32b344d4795}";
/** Element types: the boot manager's default object, and a loader's graphicsmodedisabled. */
export const DEFAULT_OBJECT_ELEMENT = "23000003";
export const GRAPHICS_MODE_DISABLED_ELEMENT = "16000046";
const GUID = /^\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}$/;

export interface BcdEdit {
  readonly changes: readonly string[];
  /** Why nothing could be done, when that is the case. */
  readonly note?: string;
  /** The default loader entry's GUID, when found. */
  readonly defaultEntry?: string;
}

export function editBcd(bcd: Hive): BcdEdit {
  const def = valueString(bcd.value(["Objects", BOOTMGR_OBJECT, "Elements", DEFAULT_OBJECT_ELEMENT], "Element"));
  if (def === undefined) return { changes: [], note: "the BCD has no default boot entry (Windows Boot Manager element 23000003)" };
  if (!GUID.test(def)) return { changes: [], note: "the BCD's default boot entry is not a GUID" };
  if (!bcd.hasKey(["Objects", def])) return { changes: [], note: `the BCD's default boot entry ${def} does not exist`, defaultEntry: def };
  const removed = bcd.deleteKey(["Objects", def, "Elements", GRAPHICS_MODE_DISABLED_ELEMENT]);
  return { changes: removed ? [`removed graphicsmodedisabled from the default boot entry ${def} of the BCD`] : [], defaultEntry: def };
}
