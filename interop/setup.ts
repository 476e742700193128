import type { TestProject } from 'vitest/node';
import { startLab, type LabInfo } from './lab.js';

declare module 'vitest' {
  export interface ProvidedContext { lab: LabInfo }
}

/** Starts the Dovecot lab once for the interop run; the teardown stops it by pid even after failures. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let lab;
  try {
    lab = await startLab();
  } catch (e) {
    console.error(`\n${(e as Error).message}\n`);
    process.exit(1);
  }
  project.provide('lab', lab.info);
  return () => lab.stop();
}
