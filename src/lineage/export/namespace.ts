/**
 * The base of the IRIs Shark mints (activities, data, its vocabulary, the
 * SLSA build type). `.invalid` (RFC 2606) says plainly that it names and does
 * not resolve: docs/lineage.md describes every term.
 */
export const SHARK_NS = 'https://shark.invalid/';
