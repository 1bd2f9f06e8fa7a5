/** The form kit's checkbox group, under the name the installation views import. */
export { CheckboxGroup } from '../../../platform/views/form-kit.tsx';
