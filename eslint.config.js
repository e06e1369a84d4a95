// ESLint: typescript-eslint's strict, type-aware rules over the TypeScript of the repository.
// Formatting is Prettier's (.prettierrc.json); `npm run lint` runs both checks.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'docs/**',
      'coverage/**',
      'reports/**',
      '.stryker-tmp/**',
      'examples/browser/public/**',
      'examples/browser/dist/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // tsconfig's noUncheckedIndexedAccess types every indexed read as possibly undefined; in the
      // numeric loops over arrays of known length (kernels, host math, metrics) `x[i]!` states
      // what the loop bounds already guarantee, where a check per element would cost and say nothing.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // The library checks at run time what its types already say, for JavaScript callers and for
      // what comes from files (model files, flags, datasets): those checks are deliberate.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // Its check of `f(...) as T`, f generic in its return type, asks for `f<T>(...)`; tfjs's own
      // code writes the assertion (`tf.add(a, b) as tf.Tensor1D`), and so does this repository.
      // (The assertions that were redundant outright went when the linter came in.)
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // tfjs's public types hand a kernel its backend as `{}` and a layer's weights and
      // initializers as interfaces; casting them to tfjs's classes is what that API requires.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      // Error messages and reports print numbers and booleans in template strings.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // `() => tf.dispose(x)` and `(v) => void`-returning arrows in callbacks read as statements.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // tfjs's fit takes `verbose: 0`: a number where its type names an enum tfjs does not export.
      '@typescript-eslint/no-unsafe-enum-assignment': 'off',
      // A parameter that an override may use, or a name a destructuring must skip, starts with _.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    // The benchmarks' report rows are records of measured values, printed as they are.
    files: ['bench/**/*.ts'],
    rules: { '@typescript-eslint/restrict-template-expressions': 'off', '@typescript-eslint/no-base-to-string': 'off' },
  },
  {
    // Tests read JSON from files and child processes, and fixtures' results, as untyped data
    // (any and unknown, and arithmetic on what they hold).
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/restrict-plus-operands': 'off',
      // Tests mutate parsed model files key by key (the fuzzers).
      '@typescript-eslint/no-dynamic-delete': 'off',
      // Test callbacks are async alike, whether or not a given one awaits.
      '@typescript-eslint/require-await': 'off',
    },
  },
);
