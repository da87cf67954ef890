/** "used 12.3 GPU-seconds", "used 48,211 GPU-seconds". */
export function gpuSecondsUsed(seconds: number): string {
  const figure = seconds < 100 ? seconds.toFixed(1) : Math.round(seconds).toLocaleString('en-US');
  return `used ${figure} GPU-seconds`;
}
