// -o qemu: NAME-sdX disks and NAME.sh (mode 0755) that boots them; UEFI guests also get NAME-VARS.fd.
// When the script runs, qemu listens for the guest agent on NAME-qga.sock beside them.
import { constants } from "node:fs";
import { copyFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { readVersion } from "../../model/version.js";
import { detectAccel } from "../../host/accel.js";
import { run } from "../../host/exec.js";
import { V2vError } from "../../model/errors.js";
import { createExclusive, outputFileError } from "../common/output-files.js";
import { forgetCreating, noteCreating } from "../common/output-lock.js";
import type { OutputModule, StageContext } from "../../model/contracts.js";
import type { OutputOptions, TargetMeta } from "../../model/types.js";
import { metadataFileName, planDirOutput, requireOvmf, validateDirOutput, writeFileAtomic } from "../common/output-dir.js";
import { parseOutputArgs } from "../common/output-options.js";
import { UNIX_SOCKET_PATH_MAX_BYTES, guestAgentSocketFits, renderQemuScript } from "./qemu-script.js";

/** The guest's own UEFI variable store, next to its disks, so its boot entries persist across runs. */
export const varsFileName = (name: string): string => `${name}-VARS.fd`;

/** The unix socket qemu listens on for the QEMU guest agent; qemu creates it when the script runs. */
export const guestAgentSocketName = (name: string): string => `${name}-qga.sock`;

/** Where --qemu-boot sends the script's output. */
export const bootLogFileName = (name: string): string => `${name}-qemu.log`;

/** Copy the OVMF variable template for this guest; refuses to replace an existing file (or symlink). */
async function copyVarsTemplate(template: string, dest: string): Promise<void> {
  await noteCreating(dest);
  try {
    await copyFile(template, dest, constants.COPYFILE_EXCL);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST") await forgetCreating(dest);
    if (code === "EEXIST" || code === "ENOSPC") throw outputFileError(dest, e);
    throw new V2vError("OUTPUT", `-o qemu: could not copy the UEFI variable store ${template} to ${dest}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Start the script in its own session, detached: it keeps running after v2v exits. `sh` only sets
 * up the redirection and execs the script, so our pipe closes at once and run() returns. The log
 * is created here first (O_EXCL), and the shell appends to it, so it never follows a planted link.
 */
async function startInBackground(script: string, log: string, ctx: StageContext): Promise<void> {
  await createExclusive(log);
  await run(["setsid", "-f", "sh", "-c", 'exec "$0" >>"$1" 2>&1 </dev/null', script, log], { timeoutMs: 30_000 });
  ctx.reporter.info(`started ${script} in the background; its output goes to ${log}`);
}

/** -o qemu's options: the shared ones, and whether to start the guest once the script is written. */
export interface QemuOutputOptions extends OutputOptions {
  readonly qemuBoot: boolean;
}

export const qemuOutput: OutputModule<QemuOutputOptions> = {
  spec: {
    name: "qemu",
    aliases: [],
    help: "write NAME-sda... and NAME.sh (a qemu command line) into -os DIR",
    storage: "required",
    writesDisks: true,
    metadataSuffixes: [".sh"],
    keys: [
      { key: "compressed", kind: "bool", help: "write qcow2 with compressed clusters (needs -of qcow2)" },
      { key: "qemu-boot", kind: "bool", help: "start the guest with the generated script once it is written" },
    ],
  },
  parseOptions(args) {
    const { options, keys } = parseOutputArgs(qemuOutput.spec, args);
    return { ...options, qemuBoot: keys.get("qemu-boot") === true };
  },
  validate: (opts) => validateDirOutput(qemuOutput.spec, opts),
  async plan(targetName, source, opts) {
    if (source.firmware === "uefi") await requireOvmf("qemu", source.secureBoot === true);
    // The socket is planned too: qemu replaces whatever has its name, so nothing may be there now.
    const extra = [varsFileName(targetName), guestAgentSocketName(targetName), ...(opts.qemuBoot ? [bootLogFileName(targetName)] : [])];
    return planDirOutput(qemuOutput.spec, targetName, source, opts, extra);
  },
  async finalize(meta: TargetMeta, opts, ctx) {
    const dir = resolve(opts.storage ?? ".");
    const written: string[] = [];
    let uefi: { code: string; vars: string } | undefined;
    if (meta.firmware === "uefi") {
      const ovmf = await requireOvmf("qemu", meta.secureBoot === true);
      const vars = join(dir, varsFileName(meta.name));
      await copyVarsTemplate(ovmf.vars, vars);
      written.push(vars);
      uefi = { code: ovmf.code, vars };
    }
    const accel = await detectAccel();
    const socket = join(dir, guestAgentSocketName(meta.name));
    const agent = guestAgentSocketFits(socket);
    if (!agent) {
      ctx.reporter.warning(`-o qemu: the guest agent channel is left out of the script: its socket path would be longer than ${UNIX_SOCKET_PATH_MAX_BYTES} bytes (use a shorter -os or -on)`);
    }
    const script = join(dir, metadataFileName(qemuOutput.spec, meta.name));
    const options = { version: readVersion(), accel, ...(uefi ? { uefi } : {}), ...(agent ? { guestAgentSocket: socket } : {}) };
    await writeFileAtomic(script, renderQemuScript(meta, options), 0o755);
    written.push(script);
    if (opts.qemuBoot) await startInBackground(script, join(dir, bootLogFileName(meta.name)), ctx);
    return written;
  },
};
