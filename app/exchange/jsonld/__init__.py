"""W3C Web Annotation (JSON-LD) sets: :mod:`.write` exports them, :mod:`.read` reads them."""
