// Errors with a stable code and a sentence for the user. Only src/cli.ts prints them and exits.

/** Stable error codes; tests and machine consumers match on these, not on the text. */
export type V2vErrorCode =
  | "BAD_OPTION" // command line: unknown, duplicated or incompatible option
  | "BAD_INPUT" // source file missing, unreadable, corrupt, unsupported
  | "CHECKSUM" // an OVA manifest checksum does not match
  | "NO_OS" // inspection found no operating system
  | "MULTIPLE_OS" // several roots and --root did not choose one
  | "UNSUPPORTED_GUEST" // inspection found an OS we cannot convert
  | "CONVERSION" // a conversion step failed inside the guest
  | "NO_SPACE" // not enough free space in the guest or on the host
  | "OUTPUT" // writing the target failed
  | "GUESTFS" // libguestfs reported an error
  | "COMMAND" // a host command failed
  | "INTERRUPTED"; // SIGINT/SIGTERM

export class V2vError extends Error {
  readonly code: V2vErrorCode;
  constructor(code: V2vErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "V2vError";
    this.code = code;
  }
}

/** Shorthands, so call sites read as the sentence they throw. */
export const badOption = (msg: string): V2vError => new V2vError("BAD_OPTION", msg);
export const badInput = (msg: string, cause?: unknown): V2vError => new V2vError("BAD_INPUT", msg, { cause });

/**
 * A Windows guest left hibernated, or shut down with Fast Startup: its NTFS volumes hold state
 * that a change would destroy, so it is refused (as virt-v2v does) with what to do about it.
 */
export const windowsHibernated = (where: string): V2vError =>
  new V2vError(
    "UNSUPPORTED_GUEST",
    `this Windows guest is hibernated or was shut down with Fast Startup (${where}): boot it on the source hypervisor, run "powercfg /h off", shut it down fully with "shutdown /s /t 0", and export it again`,
  );

/**
 * Inspection found no operating system and a volume is BitLocker-encrypted: Windows is most likely
 * on it, and v2v cannot read it. Suspending BitLocker leaves the data encrypted; only turning it off
 * (full decryption) makes the volume convertible.
 */
export const windowsBitLocker = (sources: string, places: readonly string[]): V2vError =>
  new V2vError(
    "UNSUPPORTED_GUEST",
    `inspection found no operating system on ${sources}, and ${places.join(" and ")} ${places.length > 1 ? "are" : "is"} encrypted with BitLocker, which v2v cannot read: in Windows on the source hypervisor run "manage-bde -off C:", wait until "manage-bde -status C:" says "Fully Decrypted", shut it down and export it again (suspending BitLocker is not enough: the data stays encrypted)`,
  );

/** How to get Windows off a dynamic disk, for the two refusals below. */
const DYNAMIC_DISK_FIX =
  "make it a basic disk on the source (Disk Management converts a dynamic disk back to basic only after its volumes are deleted, so back up Windows and restore it onto a basic disk) and export it again";

/** The Windows system volume is on a dynamic (LDM) disk, which virt-v2v does not convert either. */
export const windowsDynamicDisk = (where: string): V2vError =>
  new V2vError("UNSUPPORTED_GUEST", `the Windows system volume (${where}) is on a dynamic disk, which v2v cannot convert: ${DYNAMIC_DISK_FIX}`);

/**
 * Inspection found no operating system and partitions are typed as a dynamic disk's: libguestfs
 * leaves those out unless ldmtool can map the disk group, so Windows is most likely on them.
 */
export const windowsDynamicDiskNoRoot = (sources: string, places: readonly string[]): V2vError =>
  new V2vError(
    "UNSUPPORTED_GUEST",
    `inspection found no operating system on ${sources}, and ${places.join(" and ")} ${places.length > 1 ? "belong" : "belongs"} to a Windows dynamic disk, which v2v cannot read: ${DYNAMIC_DISK_FIX}`,
  );
