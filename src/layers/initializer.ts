import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe } from '../util/validate.js';

/** A tfjs-layers weight initializer instance, such as `tf.initializers.glorotUniform({})`. */
export type Initializer = ReturnType<typeof tfl.initializers.glorotUniform>;

/** Names of the built-in tfjs-layers initializers that a head accepts as a string. */
export type InitializerName = 'glorotUniform' | 'glorotNormal' | 'heUniform' | 'heNormal' | 'leCunUniform' | 'leCunNormal' | 'zeros' | 'ones';

const BY_NAME: Record<InitializerName, () => Initializer> = {
  glorotUniform: () => tfl.initializers.glorotUniform({}),
  glorotNormal: () => tfl.initializers.glorotNormal({}),
  heUniform: () => tfl.initializers.heUniform({}),
  heNormal: () => tfl.initializers.heNormal({}),
  leCunUniform: () => tfl.initializers.leCunUniform({}),
  leCunNormal: () => tfl.initializers.leCunNormal({}),
  zeros: () => tfl.initializers.zeros(),
  ones: () => tfl.initializers.ones(),
};

/** The serialized form of an initializer, as a head's `getConfig` writes it. */
export interface SerializedInitializer {
  /** The class name registered with tfjs, such as 'GlorotUniform'. */
  className: string;
  /** The initializer's own config, such as `{ seed: 1 }`. */
  config: tf.serialization.ConfigDict;
}

/**
 * Turns a name, an initializer instance, or its serialized form back into an instance.
 * Serialized forms are looked up in tfjs's class registry, where tfjs-layers registers its own.
 * @internal
 */
export function resolveInitializer(owner: string, value: InitializerName | Initializer | SerializedInitializer): Initializer {
  if (typeof value === 'string') {
    const make = BY_NAME[value];
    if (make == null) {
      throw new Error(`${owner}: kernelInitializer must be one of ${Object.keys(BY_NAME).join(', ')} or an initializer instance, but got ${describe(value)}.`);
    }
    return make();
  }
  if (value instanceof tf.serialization.Serializable) return value;
  if (value != null && typeof value === 'object' && typeof value.className === 'string') {
    const { className, config } = value;
    const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
    if (entry == null) throw new Error(`${owner}: unknown initializer class ${describe(className)}.`);
    const [cls, fromConfig] = entry;
    return fromConfig(cls, config ?? {}) as Initializer;
  }
  throw new Error(`${owner}: kernelInitializer must be a name, an initializer instance or { className, config }, but got ${describe(value)}.`);
}

/** The JSON-able form of an initializer, for `getConfig`. @internal */
export function serializeInitializer(init: Initializer): SerializedInitializer {
  return { className: init.getClassName(), config: init.getConfig() };
}
