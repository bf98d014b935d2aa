// The local container image that boots guests: a minimal Debian with qemu-system-x86 and OVMF,
// made by debootstrap + `docker import` since no registry can be reached from here.
import { run, runAllowFail } from "../../host/exec.js";
import { DEBIAN_MIRROR, ensureRootfsTarball, type Progress, type RootfsSpec } from "../guests/rootfs.js";
import { ensureDocker } from "./docker.js";

/** No dotted registry part: testcontainers then looks in the local engine only. */
export const QEMU_IMAGE = "local/v2v-qemu:bookworm";

export const QEMU_ROOTFS: RootfsSpec = {
  suite: "bookworm",
  variant: "minbase",
  packages: ["ovmf", "qemu-system-x86"],
  mirror: DEBIAN_MIRROR,
};

export async function imageExists(image: string): Promise<boolean> {
  const r = await runAllowFail(["docker", "image", "inspect", "--format", "{{.Id}}", image], { timeoutMs: 30_000 });
  return r.exitCode === 0;
}

/**
 * The qemu image's name, after importing it when the engine lacks it (the rootfs tarball is
 * cached, so a new engine only pays for `docker import`, a few seconds).
 */
export async function ensureQemuImage(progress: Progress = () => undefined): Promise<{ image: string; built: boolean }> {
  await ensureDocker();
  if (await imageExists(QEMU_IMAGE)) return { image: QEMU_IMAGE, built: false };
  const rootfs = await ensureRootfsTarball(QEMU_ROOTFS, progress);
  progress(`docker import ${QEMU_IMAGE}`);
  await run(["docker", "import", "--message", "v2v-ts qemu runner (debootstrap minbase + qemu-system-x86 + ovmf)", rootfs.tarPath, QEMU_IMAGE], {
    timeoutMs: 15 * 60_000,
  });
  return { image: QEMU_IMAGE, built: true };
}
