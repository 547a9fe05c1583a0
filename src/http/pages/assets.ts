import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `vite build` writes the web front-end (git-ignored; `npm install` builds it). */
export const WEB_BUILD_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../dist/web/');
/** The dashboard's entry, and the settings pages' (src/web/settings). */
export const WEB_ENTRY = 'src/web/app/main.ts';
export const SETTINGS_ENTRY = 'src/web/settings/main.ts';
/** The portfolio overview, the home page of whoever sees several clients (src/web/portfolio). */
export const PORTFOLIO_ENTRY = 'src/web/portfolio/main.ts';
export const WEB_ENTRIES = { dashboard: WEB_ENTRY, settings: SETTINGS_ENTRY, portfolio: PORTFOLIO_ENTRY };

export interface WebAssets {
  /** URL paths of the entry script and its style sheets. */
  script: string;
  styles: string[];
}

interface ManifestChunk {
  file: string;
  css?: string[];
  imports?: string[];
}

/** The style sheets of a chunk and of every chunk it imports (code the two entries share is a chunk of its own). */
function stylesOf(manifest: Record<string, ManifestChunk>, key: string, seen = new Set<string>()): string[] {
  const chunk = manifest[key];
  if (!chunk || seen.has(key)) return [];
  seen.add(key);
  return [...(chunk.imports ?? []).flatMap((imported) => stylesOf(manifest, imported, seen)), ...(chunk.css ?? [])];
}

/** The hashed file names of `entry` in the last build, from Vite's manifest; null when the front-end has not been built. */
export function readWebAssets(buildDir = WEB_BUILD_DIR, entry = WEB_ENTRY): WebAssets | null {
  let manifest: Record<string, ManifestChunk>;
  try {
    manifest = JSON.parse(readFileSync(`${buildDir}.vite/manifest.json`, 'utf8')) as Record<string, ManifestChunk>;
  } catch {
    return null;
  }
  const chunk = manifest[entry];
  if (!chunk) return null;
  return { script: `/${chunk.file}`, styles: [...new Set(stylesOf(manifest, entry))].map((file) => `/${file}`) };
}
