// npm run bench: convert the reference Debian 12 OVA with v2v and, when it is installed, with
// Debian's virt-v2v on the same machine in the same run; print each stage's seconds and disk
// bytes, the target's allocated bytes, v2v's peak memory, and the ratios against the targets.
import { mkdir, readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { commandExists } from "../host/exec.js";
import { findRecipe } from "../harness/guests/recipes.js";
import { ensureGuestOva } from "../harness/guests/package-ova.js";
import { cacheDir } from "../harness/guests/cache.js";
import { runMeasured, type Measured } from "./run-measured.js";

const MB = 1e6;
const fmtBytes = (n: number): string => `${(n / MB).toFixed(1)} MB`;

/** Bytes allocated on disk by every file of a directory (what the copy really wrote). */
async function allocatedBytes(dir: string): Promise<number> {
  let total = 0;
  for (const f of await readdir(dir)) total += (await stat(join(dir, f))).blocks * 512;
  return total;
}

function printRun(title: string, m: Measured, targetBytes: number): void {
  console.log(`\n${title}: ${m.totalSeconds.toFixed(1)} s, exit ${m.exitCode}`);
  console.log(`  ${"stage".padEnd(66)} ${"seconds".padStart(8)} ${"read".padStart(10)} ${"written".padStart(10)}`);
  for (const s of m.stages) {
    console.log(`  ${s.stage.slice(0, 66).padEnd(66)} ${s.seconds.toFixed(1).padStart(8)} ${fmtBytes(s.io.readBytes).padStart(10)} ${fmtBytes(s.io.writtenBytes).padStart(10)}`);
  }
  console.log(`  disk bytes read ${fmtBytes(m.io.readBytes)}, written ${fmtBytes(m.io.writtenBytes)}; target files allocate ${fmtBytes(targetBytes)}`);
  console.log(`  peak RSS of the main process: ${fmtBytes(m.peakRssBytes)}`);
  if (m.exitCode !== 0) console.log(`  stderr: ${m.stderrTail}`);
}

async function main(): Promise<number> {
  const recipe = findRecipe(process.env["V2V_BENCH_GUEST"] ?? "debian-12-bios");
  const ova = await ensureGuestOva(recipe, (msg) => console.log(`bench: ${msg}`));
  const out = join(cacheDir(), "bench");
  const cli = fileURLToPath(new URL("../cli.js", import.meta.url));
  const env = { LIBGUESTFS_BACKEND: "direct" };
  console.log(`bench: input ${ova.path}`);

  await rm(join(out, "v2v"), { recursive: true, force: true });
  await mkdir(join(out, "v2v"), { recursive: true });
  const ours = await runMeasured(["node", cli, "-i", "ova", ova.path, "-o", "local", "-os", join(out, "v2v"), "--machine-readable"], env);
  const oursBytes = await allocatedBytes(join(out, "v2v"));
  printRun("v2v (this project)", ours, oursBytes);

  let theirs: Measured | undefined;
  let theirsBytes = 0;
  if (await commandExists("virt-v2v")) {
    await rm(join(out, "virt-v2v"), { recursive: true, force: true });
    await mkdir(join(out, "virt-v2v"), { recursive: true });
    theirs = await runMeasured(
      ["virt-v2v", "-i", "ova", ova.path, "-o", "local", "-os", join(out, "virt-v2v"), "--machine-readable"],
      { ...env, LIBGUESTFS_BACKEND_SETTINGS: "force_tcg" },
    );
    theirsBytes = await allocatedBytes(join(out, "virt-v2v"));
    printRun("virt-v2v (Debian 2.2.0)", theirs, theirsBytes);
  } else {
    console.log("\nvirt-v2v is not installed: no comparison (scripts/bench.sh installs it; V2V_BENCH_NO_VIRT_V2V=1 skips that)");
  }

  console.log("\nTargets");
  const memOk = ours.peakRssBytes < 200 * MB;
  console.log(`  peak memory of v2v < 200 MB: ${fmtBytes(ours.peakRssBytes)} ${memOk ? "MET" : "MISSED"}`);
  let ok = memOk && ours.exitCode === 0;
  if (theirs && theirs.exitCode === 0) {
    const ratio = ours.totalSeconds / theirs.totalSeconds;
    console.log(`  time <= 0.8x virt-v2v: ${ours.totalSeconds.toFixed(1)} s / ${theirs.totalSeconds.toFixed(1)} s = ${ratio.toFixed(2)}x ${ratio <= 0.8 ? "MET" : "MISSED"}`);
    const bytesOk = oursBytes <= theirsBytes;
    console.log(`  target bytes <= virt-v2v's: ${fmtBytes(oursBytes)} vs ${fmtBytes(theirsBytes)} ${bytesOk ? "MET" : "MISSED"}`);
    ok = ok && ratio <= 0.8 && bytesOk;
  } else if (theirs) {
    console.log(`  virt-v2v failed (exit ${theirs.exitCode}); no ratio`);
  }
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(2);
  },
);
