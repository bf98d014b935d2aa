// What runConversion uses to reach the world, passed in so that a unit test can drive the whole
// stage list with fakes. `realDeps` wires the real modules: the registry, libguestfs, qemu-img.
import { detectAccel, type Accel } from "../host/accel.js";
import { hostApplianceSize, type ApplianceSize } from "../host/appliance-size.js";
import { imageInfo } from "../host/qemu-img.js";
import { GuestfishGuest } from "../guest/guestfish-guest.js";
import { inflateDisks } from "../inputs/image/inflate.js";
import type { Converter, InputModule, OutputModule, StageContext } from "../model/contracts.js";
import type { ApplianceDrive, ApplianceGuest, ApplianceOptions } from "../model/guest-handle.js";
import type { Reporter } from "../model/messages.js";
import type { LuksKey, OutputOptions, Source } from "../model/types.js";
import type { KeySources } from "../guest/decrypt.js";
import { hostKeySources } from "../host/key-input.js";
import { copyDisks } from "./copy.js";
import { createOverlays, type Overlay } from "./overlay.js";
import { CONVERTERS, findInput, findOutput } from "./registry.js";

export interface ConversionDeps {
  findInput(name: string): InputModule | undefined;
  findOutput(name: string): OutputModule | undefined;
  readonly converters: readonly Converter[];
  /** KVM or TCG for the appliance; a stage of its own, before the appliance starts. */
  probeAccel(): Promise<Accel>;
  applianceSize(): ApplianceSize;
  /** Inflate gzip-compressed source disks into the work directory (after the output's checks). */
  inflateDisks(source: Source, ctx: StageContext): Promise<Source>;
  createOverlays(source: Source, workDir: string): Promise<Overlay[]>;
  openGuest(drives: readonly ApplianceDrive[], opts: ApplianceOptions): Promise<ApplianceGuest>;
  /** Where LUKS passphrases come from (--key files, --keys-from-stdin), read only when a volume needs one. */
  keySources(keys: readonly LuksKey[], keysFromStdin: boolean): KeySources;
  /** Virtual size in bytes of an overlay. */
  imageSize(path: string): Promise<number>;
  copyDisks(overlays: readonly Overlay[], diskPaths: readonly (string | undefined)[], opts: OutputOptions, reporter: Reporter): Promise<void>;
}

export const realDeps: ConversionDeps = {
  findInput,
  findOutput,
  converters: CONVERTERS,
  probeAccel: detectAccel,
  applianceSize: hostApplianceSize,
  inflateDisks,
  createOverlays,
  openGuest: (drives, o) =>
    GuestfishGuest.open(drives, {
      trace: o.trace, smp: o.smp, memoryMiB: o.memoryMiB, accel: o.accel, tmpDir: o.tmpDir,
      ...(o.onLog ? { onLog: o.onLog } : {}), ...(o.onWarning ? { onWarning: o.onWarning } : {}),
    }),
  keySources: (keys, fromStdin) => hostKeySources(keys, fromStdin),
  imageSize: async (path) => (await imageInfo(path, "qcow2")).virtualSizeBytes,
  copyDisks,
};
