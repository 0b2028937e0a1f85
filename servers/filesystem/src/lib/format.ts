/** Formats a size the way the reference server does (1024-based, two decimals), so listings read the same. */
export function formatSize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  if (bytes <= 0) return '0 B';
  const exponent = Math.floor(Math.log(bytes) / Math.log(1024));
  if (exponent <= 0) return `${bytes} ${units[0]}`;
  const unit = Math.min(exponent, units.length - 1);
  return `${(bytes / Math.pow(1024, unit)).toFixed(2)} ${units[unit]}`;
}
