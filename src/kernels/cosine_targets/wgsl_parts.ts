// WGSL pieces that several cosine margin formulas share (each formula's own code lives in its
// margin's file, src/margins/).
import { MIN_SINE_FOR_GRADIENT, OPENSPHERE_CLAMPS } from '../../math/cosine_margin_math.js';
import { wgslFloat } from '../webgpu_program.js';

/**
 * WGSL statements, inside a function of `c`: `clipped` (c clipped to [−1, 1]), `sine` = √(1 − c²)
 * and `divisor` = max(sine, MIN_SINE_FOR_GRADIENT), the bound on the derivatives of sin θ and θ.
 * @internal
 */
export const WGSL_SINE = `
    let clipped = clamp(c, -1.0, 1.0);
    let sine = sqrt((1.0 - clipped) * (1.0 + clipped));
    let divisor = max(sine, ${wgslFloat(MIN_SINE_FOR_GRADIENT)});`;

/** WGSL: the cosine clamped as opensphere clamps it, its θ, and the clamp of a margined angle (see OPENSPHERE_CLAMPS). @internal */
export const WGSL_OPENSPHERE_ANGLES = `
  fn openSphereCosine(c : f32) -> f32 {
    return clamp(c, ${wgslFloat(-OPENSPHERE_CLAMPS.cosine)}, ${wgslFloat(OPENSPHERE_CLAMPS.cosine)});
  }
  fn openSphereAngle(c : f32) -> f32 {
    let clamped = openSphereCosine(c);
    return atan2(sqrt((1.0 - clamped) * (1.0 + clamped)), clamped);
  }
  fn clampAngle(theta : f32) -> f32 {
    return clamp(theta, ${wgslFloat(OPENSPHERE_CLAMPS.angleMin)}, ${wgslFloat(OPENSPHERE_CLAMPS.angleMax)});
  }`;
