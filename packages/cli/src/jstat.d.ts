// The two jStat functions ivsim uses (jstat ships no type declarations).
declare module 'jstat' {
  const jStat: {
    normal: { cdf(x: number, mean: number, sd: number): number };
    studentt: { cdf(x: number, dof: number): number };
  };
  export default jStat;
}
