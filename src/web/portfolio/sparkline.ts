const NS = 'http://www.w3.org/2000/svg';

/** A small line of daily sessions; the numbers are in its label, for screen readers and for hovering. */
export function sparkline(days: { date: string; sessions: number }[]): SVGSVGElement {
  const [width, height] = [96, 24];
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  svg.setAttribute('role', 'img');
  svg.setAttribute('class', 'sparkline');
  const label = `Daily sessions: ${days.map((d) => d.sessions).join(', ')}`;
  svg.setAttribute('aria-label', label);
  const title = document.createElementNS(NS, 'title');
  title.textContent = label;
  svg.append(title);
  const max = Math.max(1, ...days.map((d) => d.sessions));
  const step = days.length > 1 ? (width - 2) / (days.length - 1) : 0;
  const points = days.map((d, i) => `${(1 + i * step).toFixed(1)},${(height - 2 - (d.sessions / max) * (height - 4)).toFixed(1)}`);
  const line = document.createElementNS(NS, 'polyline');
  line.setAttribute('points', points.length === 1 ? `${points[0]} ${width - 1},${points[0]!.split(',')[1]}` : points.join(' '));
  line.setAttribute('fill', 'none');
  line.setAttribute('stroke', 'currentColor');
  line.setAttribute('stroke-width', '1.5');
  svg.append(line);
  return svg;
}
