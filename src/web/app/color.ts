/** WCAG 2 contrast arithmetic, so any client colour stays readable (AA: 4.5:1 for text). */
type Rgb = [number, number, number];

const parse = (hex: string): Rgb => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as Rgb;
const toHex = (rgb: Rgb) => `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;

function luminance([r, g, b]: Rgb): number {
  const linear = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

export function contrast(a: string, b: string): number {
  const [high, low] = [luminance(parse(a)), luminance(parse(b))].sort((x, y) => y - x) as [number, number];
  return (high + 0.05) / (low + 0.05);
}

/** The brand colour, darkened just enough to be read as text (and seen as a bar) on white. */
export function readableOnWhite(hex: string): string {
  let rgb = parse(/^#[0-9a-f]{6}$/i.test(hex) ? hex : '#2563eb');
  while (contrast(toHex(rgb), '#ffffff') < 4.5) rgb = rgb.map((c) => c * 0.92) as Rgb;
  return toHex(rgb);
}

/** White or near-black, whichever reads better on the brand colour. */
export function textOn(hex: string): string {
  return contrast(hex, '#ffffff') >= contrast(hex, '#1f2328') ? '#ffffff' : '#1f2328';
}

/** A light tint of the colour (for heatmap lows and backgrounds). */
export function tint(hex: string, amount: number): string {
  return toHex(parse(hex).map((c) => c + (255 - c) * amount) as Rgb);
}
