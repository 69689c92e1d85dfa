"""Reading files that come from other people's machines without trusting them.

- :mod:`.archives`: ZIP archives (bundles, ``.qdpx``) checked whole before any member is read.
- :mod:`.json_stream`: JSON sets streamed with size, depth and count limits.
- :mod:`.xml_parse`: XML parsed with DTDs, entities and external references refused.
"""
