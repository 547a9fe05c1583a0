import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `vite build` writes the dashboard's front-end (git-ignored; `npm install` builds it). */
export const WEB_BUILD_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../dist/web/');
export const WEB_ENTRY = 'src/web/app/main.ts';

export interface WebAssets {
  /** URL paths of the entry script and its style sheets. */
  script: string;
  styles: string[];
}

interface ManifestChunk {
  file: string;
  css?: string[];
}

/** The hashed file names of the last build, from Vite's manifest; null when the front-end has not been built. */
export function readWebAssets(buildDir = WEB_BUILD_DIR): WebAssets | null {
  let manifest: Record<string, ManifestChunk>;
  try {
    manifest = JSON.parse(readFileSync(`${buildDir}.vite/manifest.json`, 'utf8')) as Record<string, ManifestChunk>;
  } catch {
    return null;
  }
  const entry = manifest[WEB_ENTRY];
  if (!entry) return null;
  return { script: `/${entry.file}`, styles: (entry.css ?? []).map((file) => `/${file}`) };
}
