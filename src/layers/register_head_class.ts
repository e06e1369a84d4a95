import * as tf from '@tensorflow/tfjs-core';

/**
 * The package under which the heads are registered for serialization:
 * `tf.serialization.getRegisteredName` gives `tfjs-angular-margin>ClassName`. (0.1.0 used
 * `AngularMargin`; tfjs-layers saves and finds a layer by its bare class name, so models saved
 * then load as they are: test/io/saved_models.test.ts.)
 * @internal
 */
export const SERIALIZATION_PACKAGE = 'tfjs-angular-margin';

/**
 * Registers a head class for serialization under {@link SERIALIZATION_PACKAGE}, as
 * `serialization.registerClass` ends a tfjs layer's file.
 * @internal
 */
export function registerHeadClass<T extends tf.serialization.Serializable>(cls: tf.serialization.SerializableConstructor<T>): void {
  tf.serialization.registerClass(cls, SERIALIZATION_PACKAGE);
}
