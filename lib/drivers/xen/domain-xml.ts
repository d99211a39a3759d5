/**
 * The bridge from the project's domain XML parser (lib/xml, owned by the
 * test-driver work) to the xl config the Xen driver builds domains from.
 */
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import type { DomainXmlCodec } from './domain-config';

export function loadDomainXmlCodec(): DomainXmlCodec {
  return {
    parse(): never {
      throw XvirtError.of(ErrorNumber.NO_SUPPORT, ErrorDomain.XEN, 'domain XML parsing is not available in this build');
    },
  };
}
