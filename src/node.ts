/**
 * Node only: `fileSystem(path)`, an IOHandler that saves atomically and loads model files as untrusted, without tfjs-node.
 *
 * @module tfjs-angular-margin/node
 */
// The Node entry. Importing it imports the main entry too (by the package's name, so that both
// share one copy), which registers the layers: a model saved with them then loads.
import 'tfjs-angular-margin';

export { fileSystem } from './io/file_system.js';
