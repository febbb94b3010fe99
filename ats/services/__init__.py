"""The workflows. Each public function is one transaction: it commits or leaves nothing behind."""
