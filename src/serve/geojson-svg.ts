import { esc } from './html.js';
import { maxOf, minOf } from '../fold.js';

type Position = readonly number[];
type Shape = { kind: 'point'; at: Position } | { kind: 'line'; points: readonly Position[]; closed: boolean };

/** Every shape of a GeoJSON value (FeatureCollection, Feature or geometry); anything else is ignored. */
function shapesOf(value: unknown, out: Shape[] = [], depth = 0): Shape[] {
  if (depth > 64 || typeof value !== 'object' || value === null) return out;
  const v = value as { type?: unknown; features?: unknown; geometry?: unknown; geometries?: unknown; coordinates?: unknown };
  const coords = v.coordinates as unknown;
  const isPos = (p: unknown): p is Position => Array.isArray(p) && p.length >= 2 && typeof p[0] === 'number' && typeof p[1] === 'number';
  const ring = (r: unknown, closed: boolean): void => {
    if (Array.isArray(r)) out.push({ kind: 'line', points: r.filter(isPos), closed });
  };
  switch (v.type) {
    case 'FeatureCollection':
      if (Array.isArray(v.features)) for (const f of v.features) shapesOf(f, out, depth + 1);
      break;
    case 'Feature':
      shapesOf(v.geometry, out, depth + 1);
      break;
    case 'GeometryCollection':
      if (Array.isArray(v.geometries)) for (const g of v.geometries) shapesOf(g, out, depth + 1);
      break;
    case 'Point':
      if (isPos(coords)) out.push({ kind: 'point', at: coords });
      break;
    case 'MultiPoint':
      if (Array.isArray(coords)) for (const p of coords) if (isPos(p)) out.push({ kind: 'point', at: p });
      break;
    case 'LineString':
      ring(coords, false);
      break;
    case 'MultiLineString':
    case 'Polygon':
      if (Array.isArray(coords)) for (const r of coords) ring(r, v.type === 'Polygon');
      break;
    case 'MultiPolygon':
      if (Array.isArray(coords)) for (const poly of coords) if (Array.isArray(poly)) for (const r of poly) ring(r, true);
      break;
  }
  return out;
}

export function isGeoJson(value: unknown): boolean {
  const t = (value as { type?: unknown } | null)?.type;
  return typeof t === 'string' && ['FeatureCollection', 'Feature', 'GeometryCollection', 'Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon'].includes(t);
}

/**
 * An outline of the shapes, longitude to the right and latitude up, scaled to
 * fit: no map tiles (the page loads nothing from the network). Undefined when
 * there is nothing to draw.
 */
export function geoJsonSvg(value: unknown, width = 640, height = 400): string | undefined {
  const shapes = shapesOf(value);
  const all = shapes.flatMap((s) => (s.kind === 'point' ? [s.at] : s.points));
  if (all.length === 0) return undefined;
  const x = (p: Position): number => p[0]!;
  const y = (p: Position): number => p[1]!;
  // Folded (`maxOf`), not spread: a species' range can have more vertices than a call takes arguments.
  const [minX, maxX, minY, maxY] = [minOf(all, x), maxOf(all, x), minOf(all, y), maxOf(all, y)];
  const span = Math.max(maxX - minX, maxY - minY, 1e-9);
  const scale = Math.min((width - 20) / Math.max(maxX - minX, span / 1000), (height - 20) / Math.max(maxY - minY, span / 1000));
  const px = (p: Position): string => `${(10 + (p[0]! - minX) * scale).toFixed(2)},${(height - 10 - (p[1]! - minY) * scale).toFixed(2)}`;
  const parts = shapes.map((s) => {
    if (s.kind === 'point') {
      const [x, y] = px(s.at).split(',');
      return `<circle class="geo-point" cx="${x}" cy="${y}" r="3"/>`;
    }
    if (s.points.length === 0) return '';
    return `<path class="${s.closed ? 'geo-polygon' : 'geo-line'}" d="M${s.points.map(px).join(' L')}${s.closed ? ' Z' : ''}"/>`;
  });
  const label = `${shapes.length} shape${shapes.length === 1 ? '' : 's'}, longitude ${minX}…${maxX}, latitude ${minY}…${maxY}`;
  return `<svg class="geojson" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(label)}"><title>${esc(label)}</title>${parts.join('')}</svg>`;
}
