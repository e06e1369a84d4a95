export { fileSystem } from './io/file_system.js';
