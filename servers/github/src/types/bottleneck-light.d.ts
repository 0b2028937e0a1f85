// The light build has the same API as the full one, whose types bottleneck ships.
declare module 'bottleneck/light.js' {
  import Bottleneck from 'bottleneck';
  export default Bottleneck;
}
